// Times the CPU's paged attention (llm_attention) outside the engine: 16 decode tokens
// of 16 sequences at one context, SmolLM2's heads (9 query / 3 kv, head size 64), block
// size 16 with the blocks shuffled, over LAYERS separate caches (30: each layer's keys
// and values come from memory, as in a decode step; 1: they stay in cache). Best and
// mean of 40 runs of all layers.
//
//   clang -O3 -fno-math-errno -ISources/CLLMKernels/include -ISources/CLLMKernels \
//     Sources/CLLMKernels/*.c Scripts/bench_cpu_attention.c -o /tmp/bench_attention -lpthread -lm
//   /tmp/bench_attention CONTEXT THREADS F16 LAYERS     (e.g. 100 2 0 30)
//
// To compare with another attention.c in one process (runs alternate, which a noisy
// machine needs), compile it as llm_attention_b and define COMPARE:
//   clang -O3 -fno-math-errno -ISources/CLLMKernels/include -ISources/CLLMKernels -c OLD.c \
//     -Dllm_attention=llm_attention_b -o /tmp/old.o
//   clang ... -DCOMPARE Sources/CLLMKernels/*.c /tmp/old.o Scripts/bench_cpu_attention.c ...
#include "llm_kernels.h"
#include "llm_ops.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifdef COMPARE
void llm_attention_b(llm_pool *pool, const llm_attention_args *args);
#define VARIANTS 2
#else
#define VARIANTS 1
#endif

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static float random_unit(void) { return (float)(rand() % 2001 - 1000) / 1000.0f; }

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: %s CONTEXT THREADS F16 LAYERS\n", argv[0]); return 2; }
    const int ctx = atoi(argv[1]), threads = atoi(argv[2]), half = atoi(argv[3]) != 0, layers = atoi(argv[4]);
    const int seqs = 16, q_heads = 9, kv_heads = 3, head_dim = 64, block = 16;
    if (ctx < 1 || threads < 1 || layers < 1) { fprintf(stderr, "bad arguments\n"); return 2; }
    const int per_seq = (ctx + block - 1) / block, blocks = seqs * per_seq;
    const size_t elements = (size_t)blocks * block * kv_heads * head_dim, bytes = elements * (half ? 2 : 4);
    srand(1);
    void **k = malloc(layers * sizeof(void *)), **v = malloc(layers * sizeof(void *));
    for (int l = 0; l < layers; l++) {
        k[l] = malloc(bytes), v[l] = malloc(bytes);
        for (size_t i = 0; i < elements; i++) {
            const float a = random_unit(), b = random_unit();
            if (half) ((uint16_t *)k[l])[i] = llm_fp32_to_fp16(a), ((uint16_t *)v[l])[i] = llm_fp32_to_fp16(b);
            else ((float *)k[l])[i] = a, ((float *)v[l])[i] = b;
        }
    }
    int32_t *table = malloc(blocks * sizeof(int32_t)), *starts = malloc((seqs + 1) * sizeof(int32_t)),
            *positions = malloc(seqs * sizeof(int32_t));
    for (int i = 0; i < blocks; i++) table[i] = i;
    for (int i = blocks - 1; i > 0; i--) {
        const int j = rand() % (i + 1), t = table[i];
        table[i] = table[j], table[j] = t;
    }
    for (int s = 0; s <= seqs; s++) starts[s] = s;
    for (int s = 0; s < seqs; s++) positions[s] = ctx - 1;
    float *q = malloc(sizeof(float) * seqs * q_heads * head_dim), *out = malloc(sizeof(float) * seqs * q_heads * head_dim);
    for (int i = 0; i < seqs * q_heads * head_dim; i++) q[i] = random_unit();
    llm_pool *pool = llm_pool_create(threads);
    double best[VARIANTS], total[VARIANTS], checksum[VARIANTS];
    for (int w = 0; w < VARIANTS; w++) best[w] = 1e30, total[w] = 0, checksum[w] = 0;
    for (int rep = 0; rep < 40; rep++) {
        for (int w = 0; w < VARIANTS; w++) {
            const double t = seconds();
            for (int l = 0; l < layers; l++) {
                const llm_attention_args a = {q, k[l], v[l], half ? LLM_F16 : LLM_F32, table, per_seq, starts, positions, seqs, seqs,
                                              q_heads, kv_heads, head_dim, block, 0.125f, 0, 0, out};
#ifdef COMPARE
                if (w == 1) { llm_attention_b(pool, &a); continue; }
#endif
                llm_attention(pool, &a);
            }
            const double took = seconds() - t;
            best[w] = took < best[w] ? took : best[w];
            total[w] += took;
            if (rep == 0) for (int i = 0; i < seqs * q_heads * head_dim; i++) checksum[w] += out[i];
        }
    }
    for (int w = 0; w < VARIANTS; w++)
        printf("%scontext %d, %d threads, %s cache, %d layers: best %.3f ms, mean %.3f ms (checksum %.6f)\n",
               VARIANTS > 1 ? (w ? "llm_attention_b: " : "llm_attention:   ") : "", ctx, threads, half ? "f16" : "f32", layers,
               best[w] * 1e3, total[w] / 40 * 1e3, checksum[w]);
    llm_pool_destroy(pool);
    return 0;
}
