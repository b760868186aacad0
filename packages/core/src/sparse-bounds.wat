;; WebAssembly SIMD-128 kernel of @hyped/core's sparse index bounds check (`sparse.ts`, `indicesOutOfBounds`).
;; This text is the source: `pnpm build:simd` (scripts/build-simd.ts, wabt) compiles it into `sparse-bounds-wasm.ts`
;; (committed), and `scripts/__tests__/simd-wat.test.ts` recompiles it and checks the bytes.
;;
;; Memory: one linear memory exported as "memory", 4 pages (256 KiB), that never grows (growing would detach
;; its ArrayBuffer). `sparse.ts` copies a block of at most 256 KiB of int32 indices to offset 0 and calls
;; `umax`; the block is then still in this core's cache.
(module
  (memory (export "memory") 4)

  ;; The largest of the `n` 32-bit words at [0, 4n), read as unsigned (so a negative int32 index is larger
  ;; than any extent up to 2^31), returned as an i32 (JavaScript reads it with `>>> 0`). 0 when n is 0.
  ;; Sixteen words per step in four unsigned-max accumulators, then a word loop for the last n mod 16.
  (func (export "umax") (param $n i32) (result i32)
    (local $p i32) (local $end i32) (local $last i32) (local $m i32)
    (local $a v128) (local $b v128) (local $c v128) (local $d v128)
    (local.set $last (i32.shl (local.get $n) (i32.const 2)))
    (local.set $end (i32.and (local.get $last) (i32.const -64)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $a (i32x4.max_u (local.get $a) (v128.load offset=0 (local.get $p))))
        (local.set $b (i32x4.max_u (local.get $b) (v128.load offset=16 (local.get $p))))
        (local.set $c (i32x4.max_u (local.get $c) (v128.load offset=32 (local.get $p))))
        (local.set $d (i32x4.max_u (local.get $d) (v128.load offset=48 (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 64)))
        (br $next)))
    (local.set $a (i32x4.max_u (i32x4.max_u (local.get $a) (local.get $b)) (i32x4.max_u (local.get $c) (local.get $d))))
    ;; fold the four lanes: max with the lanes shifted down by two, then by one
    (local.set $a (i32x4.max_u (local.get $a) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a) (local.get $a))))
    (local.set $a (i32x4.max_u (local.get $a) (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $a) (local.get $a))))
    (local.set $m (i32x4.extract_lane 0 (local.get $a)))
    (block $tail
      (loop $word
        (br_if $tail (i32.ge_u (local.get $p) (local.get $last)))
        (if (i32.gt_u (i32.load (local.get $p)) (local.get $m))
          (then (local.set $m (i32.load (local.get $p)))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $word)))
    (local.get $m)))
