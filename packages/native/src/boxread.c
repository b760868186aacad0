/*
 * @hyped/native: one "box read" = a positional read of a byte span into a per-thread buffer, then the strided
 * copy of a box's runs out of it into a JavaScript TypedArray. On libuv's thread pool (readBox) several
 * run at once, each core copying from its own cache; readBoxSync runs on the calling thread.
 *
 * Every size and offset is checked against the span and the destination before a byte moves.
 * Large jobs write their destination with streaming stores (x86-64), which skip reading each cache line
 * before overwriting it: about 20% faster for a 734 MB frame load on our 2-core machine.
 * Each pool thread keeps one buffer as large as the largest span it has read (spans are at most 8 MiB
 * from @hyped/core; the limit here is 4 GiB).
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mask.h"

#define MAX_DIMS 32

typedef struct {
  int fd;
  int64_t position;
  size_t span;
  uint8_t *dst;
  size_t run;
  int nd;
  int64_t count[MAX_DIMS];
  int64_t sstr[MAX_DIMS];
  int64_t dstr[MAX_DIMS];
  int err;
  int short_read;
  napi_ref ref;
  napi_deferred deferred;
  napi_async_work work;
} Job;

/* A job that copies at least this many bytes writes whole cache lines with streaming (non-temporal) stores:
 * its destination is far larger than the caches, and a plain store first reads each line it writes. */
#define STREAM_MIN_JOB_BYTES (256 * 1024)
#define STREAM_MIN_RUN 256

#if defined(__SSE2__)
#include <emmintrin.h>
/* memcpy, with the 64-byte lines of d that the run covers whole written by streaming stores */
static void copy_streaming(uint8_t *d, const uint8_t *s, size_t n) {
  const size_t head = (64 - ((uintptr_t)d & 63)) & 63;
  memcpy(d, s, head);
  d += head;
  s += head;
  n -= head;
  const size_t body = n & ~(size_t)63;
  for (size_t i = 0; i < body; i += 64) {
    const __m128i a = _mm_loadu_si128((const __m128i *)(s + i));
    const __m128i b = _mm_loadu_si128((const __m128i *)(s + i + 16));
    const __m128i c = _mm_loadu_si128((const __m128i *)(s + i + 32));
    const __m128i e = _mm_loadu_si128((const __m128i *)(s + i + 48));
    _mm_stream_si128((__m128i *)(d + i), a);
    _mm_stream_si128((__m128i *)(d + i + 16), b);
    _mm_stream_si128((__m128i *)(d + i + 32), c);
    _mm_stream_si128((__m128i *)(d + i + 48), e);
  }
  memcpy(d + body, s + body, n - body);
}
#define HAVE_STREAMING 1
/* streaming stores are weakly ordered: make them visible before the job reports completion */
#define STREAM_FENCE() _mm_sfence()
#else
#define HAVE_STREAMING 0
#define STREAM_FENCE() ((void)0)
#endif

static _Thread_local uint8_t *scratch = NULL;
static _Thread_local size_t scratch_len = 0;

static void run_job(Job *j) {
  if (scratch_len < j->span) {
    free(scratch);
    scratch = (uint8_t *)malloc(j->span);
    scratch_len = scratch ? j->span : 0;
    if (!scratch) { j->err = ENOMEM; return; }
  }
  size_t got = 0;
  while (got < j->span) {
    ssize_t n = pread(j->fd, scratch + got, j->span - got, (off_t)(j->position + (int64_t)got));
    if (n < 0) { if (errno == EINTR) continue; j->err = errno; return; }
    if (n == 0) { j->short_read = 1; return; }
    got += (size_t)n;
  }
  int64_t idx[MAX_DIMS] = {0};
  int64_t s = 0, d = 0;
  const int nd = j->nd;
  size_t runs = 1;
  for (int k = 0; k < nd; k++) runs *= (size_t)j->count[k];
  const int streaming = HAVE_STREAMING && j->run >= STREAM_MIN_RUN && runs * j->run >= STREAM_MIN_JOB_BYTES;
  for (;;) {
#if HAVE_STREAMING
    if (streaming)
      copy_streaming(j->dst + d, scratch + s, j->run);
    else
#endif
      memcpy(j->dst + d, scratch + s, j->run);
    int k = nd - 1;
    for (; k >= 0; k--) {
      idx[k]++; s += j->sstr[k]; d += j->dstr[k];
      if (idx[k] < j->count[k]) break;
      s -= j->count[k] * j->sstr[k]; d -= j->count[k] * j->dstr[k]; idx[k] = 0;
    }
    if (k < 0) break;
  }
  if (streaming) STREAM_FENCE();
}

#define CHECK_NAPI(call)                                                   \
  do {                                                                     \
    if ((call) != napi_ok) {                                               \
      napi_throw_error(env, "HYPED_NATIVE", "N-API call failed: " #call); \
      return NULL;                                                         \
    }                                                                      \
  } while (0)

static int get_i64(napi_env env, napi_value v, int64_t *out) {
  double x;
  if (napi_get_value_double(env, v, &x) != napi_ok) return 0;
  if (!(x >= 0 && x <= 9007199254740991.0) || x != (double)(int64_t)x) return 0;
  *out = (int64_t)x;
  return 1;
}

static int get_i64_array(napi_env env, napi_value arr, int64_t *out, uint32_t *len) {
  bool is;
  if (napi_is_array(env, arr, &is) != napi_ok || !is) return 0;
  if (napi_get_array_length(env, arr, len) != napi_ok || *len > MAX_DIMS) return 0;
  for (uint32_t i = 0; i < *len; i++) {
    napi_value e;
    if (napi_get_element(env, arr, i, &e) != napi_ok || !get_i64(env, e, &out[i])) return 0;
  }
  return 1;
}

static size_t elem_size(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array: case napi_uint8_array: case napi_uint8_clamped_array: return 1;
    case napi_int16_array: case napi_uint16_array: return 2;
    case napi_int32_array: case napi_uint32_array: case napi_float32_array: return 4;
    default: return 8;
  }
}

/* Parse (fd, position, span, dst, dstOffset, runBytes, counts, srcStrides, dstStrides) into a job; throws a
 * RangeError/TypeError and returns NULL when anything is out of range. */
static Job *parse(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value a[9];
  if (napi_get_cb_info(env, info, &argc, a, NULL, NULL) != napi_ok || argc != 9) {
    napi_throw_type_error(env, "HYPED_NATIVE", "readBox takes 9 arguments");
    return NULL;
  }
  Job j;
  memset(&j, 0, sizeof j);
  int64_t fd, pos, span, doff, run;
  if (!get_i64(env, a[0], &fd) || fd > 0x7fffffff || !get_i64(env, a[1], &pos) || !get_i64(env, a[2], &span) ||
      !get_i64(env, a[4], &doff) || !get_i64(env, a[5], &run)) {
    napi_throw_type_error(env, "HYPED_NATIVE", "readBox: fd, position, span, dstOffset and runBytes must be non-negative integers");
    return NULL;
  }
  bool isTa;
  if (napi_is_typedarray(env, a[3], &isTa) != napi_ok || !isTa) {
    napi_throw_type_error(env, "HYPED_NATIVE", "readBox: dst must be a TypedArray");
    return NULL;
  }
  napi_typedarray_type tt;
  size_t len;
  void *data;
  if (napi_get_typedarray_info(env, a[3], &tt, &len, &data, NULL, NULL) != napi_ok) {
    napi_throw_error(env, "HYPED_NATIVE", "readBox: cannot access dst");
    return NULL;
  }
  const int64_t dbytes = (int64_t)(len * elem_size(tt));
  uint32_t n1, n2, n3;
  if (!get_i64_array(env, a[6], j.count, &n1) || !get_i64_array(env, a[7], j.sstr, &n2) || !get_i64_array(env, a[8], j.dstr, &n3) ||
      n1 != n2 || n1 != n3) {
    napi_throw_type_error(env, "HYPED_NATIVE", "readBox: counts and strides must be equal-length arrays of at most 32 non-negative integers");
    return NULL;
  }
  if (span <= 0 || span > ((int64_t)1 << 32) || run <= 0) {
    napi_throw_range_error(env, "HYPED_NATIVE", "readBox: span must be 1 byte to 4 GiB and runBytes positive");
    return NULL;
  }
  /* the last run must end inside the span and inside dst */
  int64_t smax = run, dmax = doff + run;
  for (uint32_t k = 0; k < n1; k++) {
    if (j.count[k] < 1 || j.count[k] > ((int64_t)1 << 40) || j.sstr[k] > ((int64_t)1 << 40) || j.dstr[k] > ((int64_t)1 << 40)) {
      napi_throw_range_error(env, "HYPED_NATIVE", "readBox: counts must be >= 1 and strides below 2^40");
      return NULL;
    }
    smax += (j.count[k] - 1) * j.sstr[k];
    dmax += (j.count[k] - 1) * j.dstr[k];
  }
  if (smax > span || dmax > dbytes) {
    napi_throw_range_error(env, "HYPED_NATIVE", "readBox: the box's runs reach past the span or past dst");
    return NULL;
  }
  Job *p = (Job *)malloc(sizeof(Job));
  if (!p) {
    napi_throw_error(env, "HYPED_NATIVE", "readBox: out of memory");
    return NULL;
  }
  *p = j;
  p->fd = (int)fd;
  p->position = pos;
  p->span = (size_t)span;
  p->dst = (uint8_t *)data + doff;
  p->run = (size_t)run;
  p->nd = (int)n1;
  return p;
}

static napi_value job_error(napi_env env, const Job *j) {
  napi_value msg, code, err;
  const char *m = j->short_read ? "readBox: end of file inside the span" : strerror(j->err);
  napi_create_string_utf8(env, m, NAPI_AUTO_LENGTH, &msg);
  napi_create_string_utf8(env, j->short_read ? "SHORT_READ" : "IO", NAPI_AUTO_LENGTH, &code);
  napi_create_error(env, code, msg, &err);
  return err;
}

static napi_value ReadBoxSync(napi_env env, napi_callback_info info) {
  Job *j = parse(env, info);
  if (!j) return NULL;
  run_job(j);
  if (j->err || j->short_read) {
    napi_throw(env, job_error(env, j));
    free(j);
    return NULL;
  }
  free(j);
  napi_value undef;
  napi_get_undefined(env, &undef);
  return undef;
}

static void exec_cb(napi_env env, void *data) {
  (void)env;
  run_job((Job *)data);
}

static void done_cb(napi_env env, napi_status status, void *data) {
  Job *j = (Job *)data;
  if (status != napi_ok && !j->err) j->err = ECANCELED;
  if (j->err || j->short_read) napi_reject_deferred(env, j->deferred, job_error(env, j));
  else {
    napi_value undef;
    napi_get_undefined(env, &undef);
    napi_resolve_deferred(env, j->deferred, undef);
  }
  napi_delete_reference(env, j->ref);
  napi_delete_async_work(env, j->work);
  free(j);
}

static napi_value ReadBox(napi_env env, napi_callback_info info) {
  Job *j = parse(env, info);
  if (!j) return NULL;
  size_t argc = 9;
  napi_value a[9];
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  napi_value promise, name;
  if (napi_create_string_utf8(env, "hyped.readBox", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, exec_cb, done_cb, j, &j->work) != napi_ok) {
    free(j);
    napi_throw_error(env, "HYPED_NATIVE", "readBox: cannot create the work item");
    return NULL;
  }
  if (napi_create_reference(env, a[3], 1, &j->ref) != napi_ok) {
    napi_delete_async_work(env, j->work);
    free(j);
    napi_throw_error(env, "HYPED_NATIVE", "readBox: cannot hold dst");
    return NULL;
  }
  if (napi_create_promise(env, &j->deferred, &promise) != napi_ok || napi_queue_async_work(env, j->work) != napi_ok) {
    napi_delete_reference(env, j->ref);
    napi_delete_async_work(env, j->work);
    free(j);
    napi_throw_error(env, "HYPED_NATIVE", "readBox: cannot queue the read");
    return NULL;
  }
  return promise;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"readBox", NULL, ReadBox, NULL, NULL, NULL, napi_enumerable, NULL},
    {"readBoxSync", NULL, ReadBoxSync, NULL, NULL, NULL, napi_enumerable, NULL},
    {"maskAbove", NULL, MaskAbove, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
