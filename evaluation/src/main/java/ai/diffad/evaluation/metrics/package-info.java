/**
 * Evaluation metrics, each exact and tested against hand-computed cases: AUROC (image and pixel),
 * AUPRO, F1-max, average precision, PSNR, SSIM, point-wise and point-adjusted series F1, SKAB's
 * binary rates and the NAB score.
 */
package ai.diffad.evaluation.metrics;
