/**
 * The report-writing layer of {@code diffad evaluate}: {@code scores.csv} ({@link
 * ai.diffad.evaluation.report.ScoresCsv}), {@code report.json} ({@link
 * ai.diffad.evaluation.report.ReportJson}), PNG plots ({@link ai.diffad.evaluation.report.Plots}),
 * heatmap grids ({@link ai.diffad.evaluation.report.HeatmapGrid}) and the self-contained {@code
 * report.html} ({@link ai.diffad.evaluation.report.ReportHtml}). Pure output code: the runners
 * compute the numbers and pass them in.
 */
package ai.diffad.evaluation.report;
