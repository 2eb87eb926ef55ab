// Attention core of one OWL-ViT B/32 layer at 768 px (577 tokens, 12 heads × 64) on ONE thread,
// exactly as AttentionCore.job runs it: per head and block of B query rows, sgemm S = s·Q·Kᵀ,
// ck_exp_shifted_row per row, sgemm C = S·V, C /= row sums. Times are thread CPU time, so a
// machine shared with other jobs slows them less than wall-clock figures (caches still suffer).
//
//   clang -O2 -I Sources/CKernels/include -I /usr/include/x86_64-linux-gnu/openblas-pthread \
//       tools/bench_attention.c Sources/CKernels/kernels.c -lopenblas -lm -o /tmp/bench_attention
//   /tmp/bench_attention 9        # rounds; prints the median per block size and the B = 64 split
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "CKernels.h"

static double cpu(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

enum { N = 577, HEADS = 12, HD = 64, D = HEADS * HD, LD = 3 * D, MAXR = 64 };

// One layer with blocks of B rows; parts[0..3] += QKᵀ, softmax, PV, normalise seconds.
static double layer(const float *qkv, float *ctx, float *s, float *sums, int B, double *parts) {
    double t0 = cpu(), t;
    for (int h = 0; h < HEADS; h++) {
        for (int first = 0; first < N; first += B) {
            int c = N - first < B ? N - first : B;
            const float *q = qkv + first * LD + h * HD, *k = qkv + D + h * HD, *v = k + D;
            float *out = ctx + first * D + h * HD;
            t = cpu();
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, c, N, HD, 0.125f, q, LD, k, LD, 0, s, N);
            parts[0] += cpu() - t;
            t = cpu();
            for (int i = 0; i < c; i++) sums[i] = ck_exp_shifted_row(s + i * N, N);
            parts[1] += cpu() - t;
            t = cpu();
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, c, HD, N, 1, s, N, v, LD, 0, out, D);
            parts[2] += cpu() - t;
            t = cpu();
            for (int i = 0; i < c; i++) {
                float inv = 1 / sums[i];
                for (int j = 0; j < HD; j++) out[i * D + j] *= inv;
            }
            parts[3] += cpu() - t;
        }
    }
    return cpu() - t0;
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 9;
    if (rounds < 1 || rounds > MAXR) rounds = 9;
    openblas_set_num_threads(1);
    float *qkv = malloc(sizeof(float) * N * LD), *ctx = malloc(sizeof(float) * N * D);
    float *s = malloc(sizeof(float) * N * N), *sums = malloc(sizeof(float) * N);
    for (int i = 0; i < N * LD; i++) qkv[i] = sinf(i * 0.7f);
    const int blocks[] = {32, 64, 128, 192, 289, 577};
    const int nb = sizeof blocks / sizeof blocks[0];
    static double times[6][MAXR];
    double parts[4] = {0}, dummy[4];
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < nb; i++) {
            int b = r % 2 ? nb - 1 - i : i;  // alternate the order between rounds
            times[b][r] = layer(qkv, ctx, s, sums, blocks[b], blocks[b] == 64 ? parts : dummy);
        }
    }
    const double flop = 2.0 * 2 * N * N * D;
    for (int b = 0; b < nb; b++) {
        qsort(times[b], rounds, sizeof(double), cmp);
        double m = times[b][rounds / 2];
        printf("B %3d: %.2f ms per layer (min %.2f, max %.2f), %.1f GFLOP/s; 12 layers %.0f ms\n", blocks[b], m * 1e3,
               times[b][0] * 1e3, times[b][rounds - 1] * 1e3, flop / m / 1e9, 12 * m * 1e3);
    }
    printf("B  64 split, mean per layer: QKt %.2f ms, softmax %.2f ms, PV %.2f ms, normalise %.2f ms\n",
           parts[0] / rounds * 1e3, parts[1] / rounds * 1e3, parts[2] / rounds * 1e3, parts[3] / rounds * 1e3);
    return 0;
}
