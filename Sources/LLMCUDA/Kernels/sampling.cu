// Device sampling: one block per logits row, so only token ids (and their logprobs)
// cross to the host. Semantics are those of the host Sampler and the CPU `sample` op
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
#include "common.cuh"

#define SAMPLE_THREADS 512
#define SAMPLE_WARPS (SAMPLE_THREADS / 32)
#define SAMPLE_UNROLL 8
#define SAMPLE_CAP 1024
#define SAMPLE_PIVOTS 7
#define SAMPLE_SPLIT (SAMPLE_PIVOTS + 1)
#define GREEDY_TEMPERATURE 1e-5f

typedef unsigned long long u64;

/// Larger key = ranked first: the logit's order-preserving bits (-0 as +0), then ~id.
__device__ __forceinline__ u64 rank_key(float v, int id) {
    const unsigned u = __float_as_uint(v == 0.0f ? 0.0f : v);
    const unsigned ordered = (u & 0x80000000u) ? ~u : (u | 0x80000000u);
    return ((u64)ordered << 32) | (u64)(0xFFFFFFFFu - (unsigned)id);
}

/// One row's settings and penalty list.
struct SampleRow {
    const float* logits;
    int vocab;
    float inv_t, min_p, rep, pres, freq;
    const int* ids;  // penalty entries [begin, end), ascending ids
    const int* counts;
    const int* in_prompt;
    int begin, end;
    bool penalised;          // any entry and any penalty on
    const unsigned* bitmap;  // ids with an entry, or null (binary search every id)
};

/// The logit of token i after the penalties.
__device__ __forceinline__ float processed(const SampleRow& r, int i) {
    float v = r.logits[i];
    if (!r.penalised) return v;
    if (r.bitmap != nullptr && ((r.bitmap[i >> 5] >> (i & 31)) & 1u) == 0) return v;
    int lo = r.begin, hi = r.end;
    while (lo < hi) {
        const int mid = (lo + hi) >> 1;
        if (r.ids[mid] < i) lo = mid + 1; else hi = mid;
    }
    if (lo == r.end || r.ids[lo] != i) return v;
    const int count = r.counts[lo];
    if (r.rep != 1.0f && (r.in_prompt[lo] != 0 || count > 0)) v = v > 0.0f ? v / r.rep : __fmul_rn(v, r.rep);
    if ((r.freq != 0.0f || r.pres != 0.0f) && count > 0) {
        v = __fsub_rn(v, __fmul_rn(r.freq, (float)count));
        v = __fsub_rn(v, r.pres);
    }
    return v;
}

/// exp((p - max) / T), zero below min-p; 0 for NaN and -inf.
__device__ __forceinline__ float weight_of(float p, float max_p, const SampleRow& r) {
    const float d = __fmul_rn(__fsub_rn(p, max_p), r.inv_t);
    const float e = d > -INFINITY ? expf(d) : 0.0f;
    return e >= r.min_p ? e : 0.0f;
}

// ---- block reductions (SAMPLE_THREADS threads; results broadcast) --------------------

struct SampleShared {
    double warp_d[SAMPLE_WARPS];
    float warp_f[SAMPLE_WARPS];
    int warp_i[SAMPLE_WARPS];
    u64 warp_u[SAMPLE_WARPS];
    int pivot_count[SAMPLE_WARPS][SAMPLE_PIVOTS + 1];
    double pivot_mass[SAMPLE_WARPS][SAMPLE_PIVOTS + 1];
    long long count[SAMPLE_PIVOTS + 1];
    double mass[SAMPLE_PIVOTS + 1];
    u64 keys[SAMPLE_CAP];
    float weights[SAMPLE_CAP];
    int candidates;
    u64 cut;
    double cut_mass;
    double warp_sum[SAMPLE_WARPS];
    int cross_warp;
    double cross_base;
    int chosen;
};

__device__ __forceinline__ double block_sum_d(double v, SampleShared& sh) {
    v = warp_sum(v);
    __syncthreads();
    if ((threadIdx.x & 31) == 0) sh.warp_d[threadIdx.x >> 5] = v;
    __syncthreads();
    double total = 0.0;
    for (int w = 0; w < SAMPLE_WARPS; w++) total += sh.warp_d[w];
    return total;
}

__device__ __forceinline__ float block_max_f(float v, SampleShared& sh) {
    v = warp_max(v);
    __syncthreads();
    if ((threadIdx.x & 31) == 0) sh.warp_f[threadIdx.x >> 5] = v;
    __syncthreads();
    float m = -INFINITY;
    for (int w = 0; w < SAMPLE_WARPS; w++) m = fmaxf(m, sh.warp_f[w]);
    return m;
}

__device__ __forceinline__ int block_sum_i(int v, SampleShared& sh) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    __syncthreads();
    if ((threadIdx.x & 31) == 0) sh.warp_i[threadIdx.x >> 5] = v;
    __syncthreads();
    int total = 0;
    for (int w = 0; w < SAMPLE_WARPS; w++) total += sh.warp_i[w];
    return total;
}

__device__ __forceinline__ int block_max_i(int v, SampleShared& sh) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = max(v, __shfl_xor_sync(0xffffffffu, v, o));
    __syncthreads();
    if ((threadIdx.x & 31) == 0) sh.warp_i[threadIdx.x >> 5] = v;
    __syncthreads();
    int m = sh.warp_i[0];
    for (int w = 1; w < SAMPLE_WARPS; w++) m = max(m, sh.warp_i[w]);
    return m;
}

__device__ __forceinline__ u64 block_min_u(u64 v, SampleShared& sh) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {
        const u64 other = __shfl_xor_sync(0xffffffffu, v, o);
        v = other < v ? other : v;
    }
    __syncthreads();
    if ((threadIdx.x & 31) == 0) sh.warp_u[threadIdx.x >> 5] = v;
    __syncthreads();
    u64 m = sh.warp_u[0];
    for (int w = 1; w < SAMPLE_WARPS; w++) m = sh.warp_u[w] < m ? sh.warp_u[w] : m;
    return m;
}

/// Best (value, id): larger value, then lower id; id < 0 means none (NaN only).
__device__ __forceinline__ void better_of(float& v, int& id, float ov, int oid) {
    if (oid >= 0 && (id < 0 || ov > v || (ov == v && oid < id))) {
        v = ov;
        id = oid;
    }
}

__device__ __forceinline__ int block_argmax(float v, int id, SampleShared& sh) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {
        const float ov = __shfl_xor_sync(0xffffffffu, v, o);
        const int oid = __shfl_xor_sync(0xffffffffu, id, o);
        better_of(v, id, ov, oid);
    }
    __syncthreads();
    if ((threadIdx.x & 31) == 0) {
        sh.warp_f[threadIdx.x >> 5] = v;
        sh.warp_i[threadIdx.x >> 5] = id;
    }
    __syncthreads();
    float bv = sh.warp_f[0];
    int bid = sh.warp_i[0];
    for (int w = 1; w < SAMPLE_WARPS; w++) better_of(bv, bid, sh.warp_f[w], sh.warp_i[w]);
    return bid < 0 ? 0 : bid;
}

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

/// Calls f(id, raw logit) for each id of the row this thread owns, in ascending order
/// (ties keep the lowest id), loading SAMPLE_UNROLL pieces before using any. Rows that
/// start 16-byte aligned are read in float4s: one block per row is latency-bound, and
/// four times the bytes per load in flight is what makes a 128k-vocabulary row fast.
template <typename F>
__device__ __forceinline__ void for_each_logit(const SampleRow& r, F&& f) {
    if ((r.vocab & 3) == 0 && (reinterpret_cast<unsigned long long>(r.logits) & 15) == 0) {
        const float4* row = reinterpret_cast<const float4*>(r.logits);
        const int n = r.vocab >> 2;
        for (int base = threadIdx.x; base < n; base += SAMPLE_UNROLL * SAMPLE_THREADS) {
            float4 v[SAMPLE_UNROLL];
#pragma unroll
            for (int u = 0; u < SAMPLE_UNROLL; u++) {
                const int j = base + u * SAMPLE_THREADS;
                if (j < n) v[u] = row[j];
            }
#pragma unroll
            for (int u = 0; u < SAMPLE_UNROLL; u++) {
                const int j = base + u * SAMPLE_THREADS;
                if (j < n) {
                    f(4 * j, v[u].x);
                    f(4 * j + 1, v[u].y);
                    f(4 * j + 2, v[u].z);
                    f(4 * j + 3, v[u].w);
                }
            }
        }
        return;
    }
    for (int base = threadIdx.x; base < r.vocab; base += SAMPLE_UNROLL * SAMPLE_THREADS) {
        float v[SAMPLE_UNROLL];
#pragma unroll
        for (int u = 0; u < SAMPLE_UNROLL; u++) {
            const int i = base + u * SAMPLE_THREADS;
            v[u] = i < r.vocab ? r.logits[i] : -INFINITY;
        }
#pragma unroll
        for (int u = 0; u < SAMPLE_UNROLL; u++) {
            const int i = base + u * SAMPLE_THREADS;
            if (i < r.vocab) f(i, v[u]);
        }
    }
}

// ---- the kernel -----------------------------------------------------------------------

/// Bytes of dynamic shared memory before the bitmap: the kernel declares no static
/// shared memory, so the launch's byte count (this plus the bitmap) is its whole budget.
#define SAMPLE_SHARED_BYTES 16384
static_assert(sizeof(SampleShared) <= SAMPLE_SHARED_BYTES, "SampleShared outgrew its reserved bytes");

extern "C" __global__ void __launch_bounds__(SAMPLE_THREADS) sample_rows(
    const float* __restrict__ logits, int vocab, const float* __restrict__ temperature, const int* __restrict__ top_k,
    const float* __restrict__ top_p, const float* __restrict__ min_p, const float* __restrict__ repetition_penalty,
    const float* __restrict__ presence_penalty, const float* __restrict__ frequency_penalty,
    const unsigned* __restrict__ uniform_bits, const int* __restrict__ penalty_row_start,
    const int* __restrict__ penalty_ids, const int* __restrict__ penalty_counts, const int* __restrict__ penalty_in_prompt,
    int use_bitmap, int* __restrict__ out, float* __restrict__ logprobs) {
    grid_dependency_sync();
    extern __shared__ uint4 sample_smem[];
    SampleShared& sh = *reinterpret_cast<SampleShared*>(sample_smem);
    unsigned* bitmap_words = reinterpret_cast<unsigned*>(reinterpret_cast<unsigned char*>(sample_smem) + SAMPLE_SHARED_BYTES);
    const int row_index = blockIdx.x;
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;

    SampleRow r;
    r.logits = logits + (long long)row_index * vocab;
    r.vocab = vocab;
    const float temp = temperature[row_index];
    r.inv_t = 1.0f / temp;
    r.min_p = min_p[row_index];
    r.rep = repetition_penalty[row_index];
    r.pres = presence_penalty[row_index];
    r.freq = frequency_penalty[row_index];
    r.ids = penalty_ids;
    r.counts = penalty_counts;
    r.in_prompt = penalty_in_prompt;
    r.begin = penalty_row_start[row_index];
    r.end = penalty_row_start[row_index + 1];
    r.penalised = r.end > r.begin && (r.rep != 1.0f || r.freq != 0.0f || r.pres != 0.0f);
    r.bitmap = nullptr;
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

    // Pass 1: raw max (for the logprob) and the processed argmax/max.
    float raw_max = -INFINITY, best = -INFINITY;
    int best_id = -1;
    for_each_logit(r, [&](int i, float raw) {
        raw_max = fmaxf(raw_max, raw);  // fmaxf ignores NaN
        const float p = r.penalised ? processed(r, i) : raw;
        if (!isnan(p) && (best_id < 0 || p > best)) {
            best = p;
            best_id = i;
        }
    });
    raw_max = block_max_f(raw_max, sh);
    const int argmax = block_argmax(best, best_id, sh);
    const float max_p = processed(r, argmax);  // NaN only when every value is NaN

    // Pass 2: the raw normaliser; the weights' total, live count, smallest live key.
    float raw_sum = 0.0f;
    for_each_logit(r, [&](int, float raw) {
        const float d = raw - raw_max;
        if (d > -INFINITY) raw_sum += expf(d);
    });
    const double raw_total = block_sum_d((double)raw_sum, sh);
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
