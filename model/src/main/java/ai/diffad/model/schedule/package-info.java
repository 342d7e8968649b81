/** Forward-process noise schedules: betas, alphas and alpha-bar in double precision. */
package ai.diffad.model.schedule;
