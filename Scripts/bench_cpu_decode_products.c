// Times one decode step's matrix products outside the engine: SmolLM2-135M's 30 layers of
// Q4_1 matrices (q, k and v sharing one pass, o, gate/up, down) and its Q8_0 LM head, random weights repacked
// for the interleaved kernel, TOKENS activation rows, through llm_linear (activation
// quantisation included) on a pool of THREADS. 96 MiB of weights: each step streams them
// from memory, as the engine's does. Best and mean of 15 steps, and each product's share.
//
//   clang -O3 -fno-math-errno -ISources/CLLMKernels/include -ISources/CLLMKernels \
//     Sources/CLLMKernels/*.c Scripts/bench_cpu_decode_products.c -o /tmp/bench_products -lpthread -lm
//   /tmp/bench_products TOKENS THREADS     (e.g. 16 2)
#include "llm_kernels.h"
#include "llm_ops.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
typedef struct { int rows, in, type; void *w, *packed; } mat;
static mat make(int rows, int in, int type) {
  mat m = {rows, in, type}; size_t rb = llm_row_bytes(type, in); m.w = malloc(rb * rows);
  unsigned char *w = m.w; for (size_t i = 0; i < rb * rows; i++) w[i] = rand();
  size_t bb = rb / (in / 32); uint16_t sc = 0x2c00;
  for (int64_t b = 0; b < (int64_t)rows * (in / 32); b++) { memcpy(w + b * bb, &sc, 2); if (type == LLM_Q4_1) memcpy(w + b * bb + 2, &sc, 2); }
  m.packed = aligned_alloc(64, (llm_interleaved_bytes(type, rows, in) + 63) / 64 * 64); llm_interleave_weights(type, m.w, rows, in, m.packed); return m; }
int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: %s TOKENS THREADS\n", argv[0]); return 2; }
  int tokens = atoi(argv[1]), threads = atoi(argv[2]);
  if (tokens < 1 || tokens > 512 || threads < 1) { fprintf(stderr, "TOKENS in 1...512, THREADS at least 1\n"); return 2; }
  mat L[30][6]; int shapes[6][2] = {{576,576},{192,576},{192,576},{576,576},{3072,576},{576,1536}};
  double macs = 0;
  for (int l = 0; l < 30; l++) for (int j = 0; j < 6; j++) { L[l][j] = make(shapes[j][0], shapes[j][1], LLM_Q4_1); macs += (double)shapes[j][0] * shapes[j][1] * tokens; }
  mat head = make(49152, 576, LLM_Q8_0); macs += 49152.0 * 576 * tokens;
  float *x = malloc(4 * tokens * 3072), *out = malloc(4 * (size_t)tokens * 49152);
  for (int i = 0; i < tokens * 3072; i++) x[i] = (rand() % 2001 - 1000) / 1000.0f;
  size_t sb = llm_linear_scratch_bytes(LLM_Q8_0, tokens, 1536, threads); void *scratch = aligned_alloc(64, (sb + 63) / 64 * 64 + 64);
  llm_pool *pool = llm_pool_create(threads);
  double best = 1e9, total = 0, per[7] = {0};
  for (int rep = 0; rep < 15; rep++) {
    double t = now();
    for (int l = 0; l < 30; l++) {
      // q, k and v share their input, as in the engine: one llm_linear_shared_input.
      llm_linear_args qkv[3];
      for (int j = 0; j < 3; j++) qkv[j] = (llm_linear_args){x, tokens, L[l][j].in, L[l][j].w, L[l][j].type, L[l][j].rows, NULL, out + j * 576 * tokens, scratch, false, L[l][j].packed};
      double t0 = now();
      if (!llm_linear_shared_input(pool, qkv, 3)) { fprintf(stderr, "no interleaved kernel for q/k/v on this CPU\n"); return 1; }
      per[0] += now() - t0;
      for (int j = 3; j < 6; j++) {
        mat *m = &L[l][j]; llm_linear_args a = {x, tokens, m->in, m->w, m->type, m->rows, NULL, out, scratch, false, m->packed}; double t0 = now(); llm_linear(pool, &a); per[j] += now() - t0; }
    }
    llm_linear_args a = {x, tokens, 576, head.w, head.type, 49152, NULL, out, scratch, false, head.packed}; double t0 = now(); llm_linear(pool, &a); per[6] += now() - t0;
    double dt = now() - t; if (dt < best) best = dt; total += dt;
  }
  const char *names[7] = {"q/k/v", "", "", "o", "gate/up", "down", "head"};
  for (int j = 0; j < 7; j++) {
    if (j == 1 || j == 2) continue;
    double mm = j == 0 ? 30.0 * 960 * 576 * tokens : j < 6 ? 30.0 * shapes[j][0] * shapes[j][1] * tokens : 49152.0 * 576 * tokens; printf("  %-8s %.3f ms/step  %.1f GMAC/s\n", names[j], per[j] / 15 * 1e3, mm / (per[j] / 15) / 1e9); }
  printf("%d tokens, %d threads: best %.2f ms (%.1f GMAC/s), mean %.2f ms\n", tokens, threads, best * 1e3, macs / best / 1e9, total / 15 * 1e3);
}
