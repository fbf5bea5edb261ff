#ifndef LLM_THREADPOOL_H
#define LLM_THREADPOOL_H
#include <stdint.h>

/// A fixed set of worker threads that spin briefly, then sleep, between jobs. A job
/// is a function called once per thread index; threads split work by their index.
typedef struct llm_pool llm_pool;
typedef void (*llm_task_fn)(void *ctx, int thread_index, int thread_count);

llm_pool *llm_pool_create(int threads);
void llm_pool_destroy(llm_pool *pool);
int llm_pool_threads(const llm_pool *pool);
/// Runs `fn(ctx, i, n)` for i in 0..<n on the pool (the caller runs i = 0) and waits.
void llm_pool_run(llm_pool *pool, llm_task_fn fn, void *ctx);

#endif
