/** Typed configuration: records and enums, YAML/JSON loading, validation. */
package ai.diffad.config;
