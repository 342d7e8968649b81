/**
 * Readers for the benchmark datasets on disk: MVTec-layout image folders, NAB, SKAB and clean
 * image sets for denoising. Readers validate the layout once, where the data enters, and fail
 * with an {@link java.io.IOException} naming the path.
 */
package ai.diffad.evaluation.data;
