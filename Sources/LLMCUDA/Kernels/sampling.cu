// Device sampling, so only token ids (and their logprobs) cross to the host: first
// sample_partials, a block per 8192-id chunk of each row (one block per row would leave
// a batch-1 step's 128k-262k logits to one SM, latency-bound: ~60-110 us), for the raw
// maximum, the penalised argmax and the raw exponential sum of its chunk; then
// sample_rows, one block per row, combines them and, unless greedy, draws. Semantics are those of the host Sampler and the CPU `sample` op
// (Sources/CLLMKernels/sampling.c), in this order:
//   raw logprob normaliser (log-sum-exp of the raw row, kept for the chosen token);
//   penalties on the listed tokens (repetition over prompt + generated, then frequency
//   and presence over generated), read through a per-row bitmap so the logits are
//   never modified;
//   greedy (temperature < 1e-5): argmax, lowest id on ties, NaN never chosen;
//   otherwise weights w = exp((l - max) / T), zeroed below min-p (the top weight is 1);
//   top-k keeps the k best "live" (w > 0) tokens, top-p the smallest best-first prefix
//   of the remaining ones whose weight reaches top_p of theirs (a token stays while the
//   weight ranked before it is below the threshold); then the inverse CDF: the first
//   kept token in ascending id order whose running weight exceeds u * kept total.
// Ranking uses the 64-bit key of llm_rank_key (logit order, lower id first on ties), so
// every kept set is "keys >= cut". The cut is found without sorting the vocabulary:
// rounds of 7 pivots split the key interval known to hold it 8 ways (one pass over
// the row each, counts and weights per sub-interval), until at most 1024 candidates
// remain; those are sorted in shared memory and scanned exactly.
// Weights are f32 as on the host; every sum of weights is double, so cut decisions
// agree with the host's double sums except within ~1e-15 of a boundary.
#include "sampling.cuh"

// ---- the cut search ---------------------------------------------------------------------

/// The key of the last kept token among live tokens with keys in (lo, hi] (and every
/// live key above hi counts as already kept): by count, the `target`-th best; by mass,
/// the first whose running weight (best first) reaches `target` (the last one when the
/// total falls short). Also returns the weight of all keys >= the cut. Block-wide.
__device__ __noinline__ void find_cut(const SampleRow& r, float max_p, bool by_mass, double target, u64 lo, u64 hi,
                                      SampleShared& sh) {
    long long above_count = 0;
    double above_mass = 0.0;
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    while (true) {
        const u64 range = hi - lo;
        // p_j = lo + j * range / SPLIT without overflow: p_0 = lo, p_SPLIT = hi.
        auto pivot_at = [&](int j) { return lo + (range / SAMPLE_SPLIT) * (u64)j + ((range % SAMPLE_SPLIT) * (u64)j) / SAMPLE_SPLIT; };
        u64 pivot[SAMPLE_PIVOTS];  // p_1 ... p_PIVOTS, indexed only by constants
#pragma unroll
        for (int j = 0; j < SAMPLE_PIVOTS; j++) pivot[j] = pivot_at(j + 1);
        int cnt[SAMPLE_PIVOTS + 1];
        double mass[SAMPLE_PIVOTS + 1];
#pragma unroll
        for (int j = 0; j <= SAMPLE_PIVOTS; j++) {
            cnt[j] = 0;
            mass[j] = 0.0;
        }
        for (int i = threadIdx.x; i < r.vocab; i += SAMPLE_THREADS) {
            const float p = processed(r, i);
            const float w = weight_of(p, max_p, r);
            if (!(w > 0.0f)) continue;
            const u64 key = rank_key(p, i);
            if (key <= lo || key > hi) continue;
            cnt[0]++;
            mass[0] += (double)w;
#pragma unroll
            for (int j = 0; j < SAMPLE_PIVOTS; j++) {
                if (key > pivot[j]) {
                    cnt[j + 1]++;
                    mass[j + 1] += (double)w;
                }
            }
        }
        // Per warp, then per column over the warps in a fixed order (deterministic).
#pragma unroll
        for (int j = 0; j <= SAMPLE_PIVOTS; j++) {
            int c = cnt[j];
            double m = mass[j];
#pragma unroll
            for (int o = 16; o > 0; o >>= 1) {
                c += __shfl_xor_sync(0xffffffffu, c, o);
                m += __shfl_xor_sync(0xffffffffu, m, o);
            }
            if (lane == 0) {
                sh.pivot_count[warp][j] = c;
                sh.pivot_mass[warp][j] = m;
            }
        }
        __syncthreads();
        if (threadIdx.x <= SAMPLE_PIVOTS) {
            long long c = 0;
            double m = 0.0;
            for (int w = 0; w < SAMPLE_WARPS; w++) {
                c += sh.pivot_count[w][threadIdx.x];
                m += sh.pivot_mass[w][threadIdx.x];
            }
            sh.count[threadIdx.x] = c;
            sh.mass[threadIdx.x] = m;
        }
        __syncthreads();
        // Every thread takes the same decision from the shared totals.
        const long long in_count = sh.count[0];
        if (by_mass && !(above_mass + sh.mass[0] >= target)) {
            // Rounding left the target beyond the interval: keep all of it.
            by_mass = false;
            target = (double)(above_count + in_count);
        }
        if (in_count <= SAMPLE_CAP) break;
        // The sub-interval (p_j, p_j+1] holding the cut: the highest j whose "keys > p_j"
        // reach the target (p_0 = lo, p_SPLIT = hi).
        for (int j = SAMPLE_PIVOTS; j >= 0; j--) {
            const bool reached = by_mass ? (above_mass + sh.mass[j] >= target) : ((double)(above_count + sh.count[j]) >= target);
            if (reached) {
                const u64 new_lo = pivot_at(j), new_hi = pivot_at(j + 1);
                if (j < SAMPLE_PIVOTS) {
                    above_count += sh.count[j + 1];
                    above_mass += sh.mass[j + 1];
                }
                lo = new_lo;
                hi = new_hi;
                break;
            }
        }
        __syncthreads();  // everyone has read sh.count / sh.mass
    }

    // At most SAMPLE_CAP candidates: gather, sort best first, scan.
    if (threadIdx.x == 0) sh.candidates = 0;
    __syncthreads();
    for (int i = threadIdx.x; i < r.vocab; i += SAMPLE_THREADS) {
        const float p = processed(r, i);
        const float w = weight_of(p, max_p, r);
        if (!(w > 0.0f)) continue;
        const u64 key = rank_key(p, i);
        if (key <= lo || key > hi) continue;
        const int slot = atomicAdd(&sh.candidates, 1);
        if (slot < SAMPLE_CAP) {
            sh.keys[slot] = key;
            sh.weights[slot] = w;
        }
    }
    __syncthreads();
    const int n = min(sh.candidates, SAMPLE_CAP);
    int padded = 2;
    while (padded < n) padded <<= 1;
    for (int i = n + (int)threadIdx.x; i < padded; i += SAMPLE_THREADS) {
        sh.keys[i] = 0;  // below every real key
        sh.weights[i] = 0.0f;
    }
    __syncthreads();
    for (int k = 2; k <= padded; k <<= 1) {
        for (int j = k >> 1; j > 0; j >>= 1) {
            for (int i = threadIdx.x; i < padded; i += SAMPLE_THREADS) {
                const int partner = i ^ j;
                if (partner > i) {
                    const bool descending = (i & k) == 0;
                    const u64 a = sh.keys[i], b = sh.keys[partner];
                    if (descending ? (a < b) : (a > b)) {
                        sh.keys[i] = b;
                        sh.keys[partner] = a;
                        const float t = sh.weights[i];
                        sh.weights[i] = sh.weights[partner];
                        sh.weights[partner] = t;
                    }
                }
            }
            __syncthreads();
        }
    }
    if (threadIdx.x == 0) {
        long long c = above_count;
        double m = above_mass;
        int chosen = n - 1;
        for (int i = 0; i < n; i++) {
            c += 1;
            m += (double)sh.weights[i];
            const bool reached = by_mass ? (m >= target) : ((double)c >= target);
            if (reached) {
                chosen = i;
                break;
            }
        }
        if (n == 0) {
            sh.cut = hi;  // unreachable with consistent inputs: keep everything above
            sh.cut_mass = above_mass;
        } else {
            sh.cut = sh.keys[chosen];
            double kept = above_mass;
            for (int i = 0; i <= chosen; i++) kept += (double)sh.weights[i];
            sh.cut_mass = kept;
        }
    }
    __syncthreads();
}

// ---- the kernel -----------------------------------------------------------------------

/// Bytes of dynamic shared memory before the bitmap: the kernel declares no static
/// shared memory, so the launch's byte count (this plus the bitmap) is its whole budget.
#define SAMPLE_SHARED_BYTES 16384
static_assert(sizeof(SampleShared) <= SAMPLE_SHARED_BYTES, "SampleShared outgrew its reserved bytes");

/// One chunk's share of a row's first two scans.
struct SamplePartial {
    double raw_sum;  // sum of exp(raw - raw_max) over the chunk
    float raw_max;   // -inf when every raw value is NaN or -inf
    float best;      // penalised maximum and its id (-1: every value NaN)
    int best_id;
    int pad;
};

/// The row's penalty settings and entries (bitmap null: fill it in, or binary search).
__device__ __forceinline__ SampleRow sample_row(const float* logits, int vocab, int row_index, const float* rep, const float* pres,
                                                const float* freq, const int* row_start, const int* ids, const int* counts,
                                                const int* in_prompt) {
    SampleRow r;
    r.logits = logits + (long long)row_index * vocab;
    r.vocab = vocab;
    r.rep = rep[row_index];
    r.pres = pres[row_index];
    r.freq = freq[row_index];
    r.ids = ids;
    r.counts = counts;
    r.in_prompt = in_prompt;
    r.begin = row_start[row_index];
    r.end = row_start[row_index + 1];
    r.penalised = r.end > r.begin && (r.rep != 1.0f || r.freq != 0.0f || r.pres != 0.0f);
    r.bitmap = nullptr;
    r.bitmap_first = 0;
    return r;
}

#define SAMPLE_CHUNK 8192

/// Grid (chunks, rows): chunk c of row r covers ids [c * SAMPLE_CHUNK, ...) and marks
/// its own penalised ids in a chunk-sized bitmap.
extern "C" __global__ void __launch_bounds__(SAMPLE_THREADS) sample_partials(
    const float* __restrict__ logits, int vocab, const float* __restrict__ repetition_penalty,
    const float* __restrict__ presence_penalty, const float* __restrict__ frequency_penalty,
    const int* __restrict__ penalty_row_start, const int* __restrict__ penalty_ids, const int* __restrict__ penalty_counts,
    const int* __restrict__ penalty_in_prompt, SamplePartial* __restrict__ partials) {
    __shared__ SampleShared sh;
    __shared__ unsigned bitmap_words[SAMPLE_CHUNK / 32];
    grid_dependency_sync();
    const int first = blockIdx.x * SAMPLE_CHUNK, end = min(vocab, first + SAMPLE_CHUNK);
    SampleRow r = sample_row(logits, vocab, blockIdx.y, repetition_penalty, presence_penalty, frequency_penalty,
                             penalty_row_start, penalty_ids, penalty_counts, penalty_in_prompt);
    if (r.penalised) {
        r.begin = lower_bound_id(r.ids, r.begin, r.end, first);
        r.end = lower_bound_id(r.ids, r.begin, r.end, end);
        r.penalised = r.end > r.begin;
    }
    if (r.penalised) {
        for (int i = threadIdx.x; i < SAMPLE_CHUNK / 32; i += SAMPLE_THREADS) bitmap_words[i] = 0u;
        __syncthreads();
        for (int e = r.begin + (int)threadIdx.x; e < r.end; e += SAMPLE_THREADS) {
            const int local = r.ids[e] - first;
            atomicOr(&bitmap_words[local >> 5], 1u << (local & 31));
        }
        __syncthreads();
        r.bitmap = bitmap_words;
        r.bitmap_first = first;
    }

    float raw_max = -INFINITY, best = -INFINITY;
    int best_id = -1;
    for_each_logit(r, first, end, [&](int i, float raw) {
        raw_max = fmaxf(raw_max, raw);  // fmaxf ignores NaN
        const float p = r.penalised ? processed(r, i) : raw;
        if (!isnan(p) && (best_id < 0 || p > best)) {
            best = p;
            best_id = i;
        }
    });
    raw_max = block_max_f(raw_max, sh);
    best_id = block_argmax(best, best_id, sh);
    // The chunk was just read: this scan finds it in L1.
    float raw_sum = 0.0f;
    for_each_logit(r, first, end, [&](int, float raw) {
        const float d = raw - raw_max;
        if (d > -INFINITY) raw_sum += expf(d);
    });
    const double total = block_sum_d((double)raw_sum, sh);
    if (threadIdx.x == 0) {
        SamplePartial& out = partials[(long long)blockIdx.y * gridDim.x + blockIdx.x];
        out.raw_sum = total;
        out.raw_max = raw_max;
        out.best = best_id >= 0 ? processed(r, best_id) : -INFINITY;
        out.best_id = best_id;
        out.pad = 0;
    }
}

/// Warp 0 combines the row's chunk partials into sh.row_*: the raw maximum, the raw
/// exponential total relative to it (double) and the penalised argmax (0 when every
/// value is NaN, as the host sampler).
__device__ __forceinline__ void combine_partials(const SamplePartial* __restrict__ part, int chunks, SampleShared& sh) {
    if (threadIdx.x < 32) {
        float raw_max = -INFINITY, best = -INFINITY;
        int best_id = -1;
        for (int c = threadIdx.x; c < chunks; c += 32) {
            raw_max = fmaxf(raw_max, part[c].raw_max);
            better_of(best, best_id, part[c].best, part[c].best_id);
        }
        raw_max = warp_max(raw_max);
        warp_best(best, best_id);
        double total = 0.0;
        for (int c = threadIdx.x; c < chunks; c += 32)
            if (part[c].raw_max > -INFINITY) total += part[c].raw_sum * exp((double)part[c].raw_max - (double)raw_max);
        total = warp_sum(total);
        if (threadIdx.x == 0) {
            sh.row_raw_max = raw_max;
            sh.row_raw_total = total;
            sh.row_argmax = best_id < 0 ? 0 : best_id;
        }
    }
    __syncthreads();
}

/// One block per row, after sample_partials (`chunks` a row).
extern "C" __global__ void __launch_bounds__(SAMPLE_THREADS) sample_rows(
    const float* __restrict__ logits, int vocab, const float* __restrict__ temperature, const int* __restrict__ top_k,
    const float* __restrict__ top_p, const float* __restrict__ min_p, const float* __restrict__ repetition_penalty,
    const float* __restrict__ presence_penalty, const float* __restrict__ frequency_penalty,
    const unsigned* __restrict__ uniform_bits, const int* __restrict__ penalty_row_start,
    const int* __restrict__ penalty_ids, const int* __restrict__ penalty_counts, const int* __restrict__ penalty_in_prompt,
    int use_bitmap, const SamplePartial* __restrict__ partials, int chunks, int* __restrict__ out,
    float* __restrict__ logprobs) {
    grid_dependency_sync();
    extern __shared__ uint4 sample_smem[];
    SampleShared& sh = *reinterpret_cast<SampleShared*>(sample_smem);
    unsigned* bitmap_words = reinterpret_cast<unsigned*>(reinterpret_cast<unsigned char*>(sample_smem) + SAMPLE_SHARED_BYTES);
    const int row_index = blockIdx.x;
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;

    SampleRow r = sample_row(logits, vocab, row_index, repetition_penalty, presence_penalty, frequency_penalty,
                             penalty_row_start, penalty_ids, penalty_counts, penalty_in_prompt);
    const float temp = temperature[row_index];
    r.inv_t = 1.0f / temp;
    r.min_p = min_p[row_index];
    if (r.penalised && use_bitmap) {
        const int words = (vocab + 31) >> 5;
        for (int i = threadIdx.x; i < words; i += SAMPLE_THREADS) bitmap_words[i] = 0u;
        __syncthreads();
        for (int e = r.begin + (int)threadIdx.x; e < r.end; e += SAMPLE_THREADS) {
            const int id = penalty_ids[e];
            if (id >= 0 && id < vocab) atomicOr(&bitmap_words[id >> 5], 1u << (id & 31));
        }
        __syncthreads();
        r.bitmap = bitmap_words;
    }

    combine_partials(partials + (long long)row_index * chunks, chunks, sh);
    const float raw_max = sh.row_raw_max;
    const int argmax = sh.row_argmax;
    const float max_p = processed(r, argmax);  // NaN only when every value is NaN
    const double raw_total = sh.row_raw_total;
    const float lse = isfinite(raw_max) ? raw_max + (float)log(raw_total) : raw_max;

    int chosen = argmax;
    const bool greedy = temp < GREEDY_TEMPERATURE;
    if (!greedy && isfinite(max_p)) {
        double total = 0.0;
        int live = 0;
        u64 min_key = ~0ull;
        for (int i = threadIdx.x; i < vocab; i += SAMPLE_THREADS) {
            const float p = processed(r, i);
            const float w = weight_of(p, max_p, r);
            if (w > 0.0f) {
                total += (double)w;
                live++;
                const u64 key = rank_key(p, i);
                min_key = key < min_key ? key : min_key;
            }
        }
        total = block_sum_d(total, sh);
        live = block_sum_i(live, sh);
        min_key = block_min_u(min_key, sh);

        if (total > 0.0) {
            const int k = top_k[row_index];
            const int eff_k = k > 0 && k < live ? k : 0;
            const double tp = (double)top_p[row_index];
            u64 cut = 0;  // every live token
            if (eff_k > 0 || tp < 1.0) {
                const u64 max_key = rank_key(max_p, argmax);
                double pool = total;
                u64 lo = min_key - 1;
                if (eff_k > 0) {
                    find_cut(r, max_p, false, (double)eff_k, lo, max_key, sh);
                    cut = sh.cut;
                    pool = sh.cut_mass;
                    lo = cut - 1;
                }
                if (tp < 1.0) {
                    find_cut(r, max_p, true, tp * pool, lo, max_key, sh);
                    cut = sh.cut;
                }
            }

            // The draw: warp w owns ids [w * seg, (w + 1) * seg) in 32-wide steps.
            const double u = __hiloint2double((int)uniform_bits[2 * row_index + 1], (int)uniform_bits[2 * row_index]);
            const int seg = ((vocab + SAMPLE_WARPS - 1) / SAMPLE_WARPS + 31) / 32 * 32;
            const int seg_begin = min(vocab, warp * seg), seg_end = min(vocab, seg_begin + seg);
            double part = 0.0;
            int last_kept = -1;
            for (int i = seg_begin + lane; i < seg_end; i += 32) {
                const float p = processed(r, i);
                const float w = weight_of(p, max_p, r);
                if (w > 0.0f && rank_key(p, i) >= cut) {
                    part += (double)w;
                    last_kept = i;
                }
            }
            part = warp_sum(part);
            last_kept = block_max_i(last_kept, sh);  // also a barrier
            if (lane == 0) sh.warp_sum[warp] = part;
            __syncthreads();
            if (threadIdx.x == 0) {
                double kept_total = 0.0;
                for (int w = 0; w < SAMPLE_WARPS; w++) kept_total += sh.warp_sum[w];
                const double target = u * kept_total;
                double prefix = 0.0;
                sh.cross_warp = -1;
                for (int w = 0; w < SAMPLE_WARPS; w++) {
                    if (prefix + sh.warp_sum[w] > target) {
                        sh.cross_warp = w;
                        sh.cross_base = prefix;
                        break;
                    }
                    prefix += sh.warp_sum[w];
                }
                sh.cut_mass = target;
                sh.chosen = last_kept;
            }
            __syncthreads();
            if (warp == sh.cross_warp) {
                const double target = sh.cut_mass;
                double acc = sh.cross_base;
                for (int base = seg_begin; base < seg_end; base += 32) {
                    const int i = base + lane;
                    double w = 0.0;
                    if (i < seg_end) {
                        const float p = processed(r, i);
                        const float wf = weight_of(p, max_p, r);
                        if (wf > 0.0f && rank_key(p, i) >= cut) w = (double)wf;
                    }
                    double incl = w;
#pragma unroll
                    for (int o = 1; o < 32; o <<= 1) {
                        const double y = __shfl_up_sync(0xffffffffu, incl, o);
                        if (lane >= o) incl += y;
                    }
                    const unsigned hit = __ballot_sync(0xffffffffu, w > 0.0 && acc + incl > target);
                    if (hit != 0u) {
                        if (lane == 0) sh.chosen = base + __ffs(hit) - 1;
                        break;
                    }
                    acc += __shfl_sync(0xffffffffu, incl, 31);
                }
            }
            __syncthreads();
            chosen = sh.chosen;
        }
    }
    if (threadIdx.x == 0) {
        out[row_index] = chosen;
        if (logprobs != nullptr) logprobs[row_index] = r.logits[chosen] - lse;
    }
}
