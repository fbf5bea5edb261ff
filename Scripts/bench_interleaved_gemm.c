// Times the CPU's quantised matrix products on one thread, outside the engine: the
// interleaved kernel of each instruction-set variant the CPU runs, and the per-row path
// (llm_linear without a repacked copy, the CPU's best variant), on random weights.
//
//   clang -O3 -fno-math-errno -ISources/CLLMKernels/include -ISources/CLLMKernels \
//     Sources/CLLMKernels/*.c Scripts/bench_interleaved_gemm.c -o /tmp/bench_gemm -lpthread -lm
//   /tmp/bench_gemm ROWS IN TOKENS TYPE     (TYPE: llm_type, e.g. 3 Q4_0, 4 Q4_1, 7 Q8_0)
#include "llm_kernels.h"
#include "llm_ops.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: %s ROWS IN TOKENS TYPE\n", argv[0]); return 2; }
    const int64_t rows = atoll(argv[1]), in = atoll(argv[2]), tokens = atoll(argv[3]);
    const int type = atoi(argv[4]);
    if (rows % 16 || in % 32 || tokens < 1 || !llm_linear_supported(type)) { fprintf(stderr, "bad shape or type\n"); return 2; }
    const size_t row_bytes = llm_row_bytes(type, in);
    // Random bytes, then each block's f16 scale set to 2^-4 so that every value is finite.
    unsigned char *w = malloc(row_bytes * rows);
    srand(1);
    for (size_t i = 0; i < row_bytes * rows; i++) w[i] = (unsigned char)rand();
    const size_t block_bytes = row_bytes / (in / 32);
    const uint16_t scale = 0x2c00;
    for (int64_t b = 0; b < rows * (in / 32); b++) memcpy(w + b * block_bytes, &scale, 2);
    if (type == LLM_Q4_1) for (int64_t b = 0; b < rows * (in / 32); b++) memcpy(w + b * block_bytes + 2, &scale, 2);
    float *x = malloc(4 * tokens * in), *out = malloc(4 * tokens * rows);
    for (int64_t i = 0; i < tokens * in; i++) x[i] = (rand() % 2001 - 1000) / 1000.0f;
    const double macs = (double)rows * in * tokens;

    const size_t packed_bytes = llm_interleaved_bytes(type, rows, in);
    void *packed = packed_bytes ? aligned_alloc(64, (packed_bytes + 63) / 64 * 64) : NULL;
    if (packed) llm_interleave_weights(type, w, rows, in, packed);
    const char *names[] = {"portable", "AVX2", "AVX-512 VNNI"};
    for (int variant = LLM_KERNELS_AVX2; packed && variant <= LLM_KERNELS_VNNI; variant++) {
        double best = 1e30;
        for (int rep = 0; rep < 7; rep++) {
            const double t = seconds();
            if (!llm_interleaved_product(variant, type, packed, rows, in, x, tokens, out)) { best = 0; break; }
            const double took = seconds() - t;
            best = took < best ? took : best;
        }
        if (best > 0) printf("interleaved, %-12s %6.1f GMAC/s\n", names[variant], macs / best / 1e9);
    }
    llm_pool *pool = llm_pool_create(1);
    const size_t scratch_bytes = llm_linear_scratch_bytes(type, tokens, in, 1);
    void *scratch = aligned_alloc(64, (scratch_bytes + 63) / 64 * 64 + 64);
    const llm_linear_args args = {x, tokens, in, w, type, rows, NULL, out, scratch, false, NULL};
    double best = 1e30;
    for (int rep = 0; rep < 7; rep++) {
        const double t = seconds();
        llm_linear(pool, &args);
        const double took = seconds() - t;
        best = took < best ? took : best;
    }
    printf("per row,     %-12s %6.1f GMAC/s\n", names[llm_best_kernel_variant()], macs / best / 1e9);
    llm_pool_destroy(pool);
    return 0;
}
