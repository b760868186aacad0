;; WebAssembly SIMD-128 kernels of @hyped/imaging. This text is the source: `scripts/build-simd.ts` compiles it
;; with wabt into `kernels-wasm.ts` (committed), and `__tests__/simd.test.ts` recompiles it and checks the bytes.
;;
;; Memory: one linear memory exported as "memory", 9 pages (576 KiB). JavaScript copies the inputs into a block
;; of it (cache-sized), calls a kernel, and copies the output back: see `index.ts` (SIMD_BLOCK, the
;; offsets) for the layout. Every kernel works on a whole number of 16-element groups; the caller does the tail.
;;
;; Packing 16 float64 compare results (8 vectors of two i64 lanes, all-ones or zero) into 16 bytes of 0/1: two
;; signed narrowings keep -1/0 (each pixel then fills two adjacent bytes), a shuffle keeps one byte per pixel,
;; and an AND turns -1 into 1. It is written out in each kernel rather than called: V8 does not inline the
;; call, which costs ~1 ms over a 9-megapixel frame.
(module
  (memory (export "memory") 9)

  ;; out[i] = (a[i] > t) | (b[i] > t) for i < n (n a multiple of 16): a, b float64 at byte offsets pa, pb,
  ;; out bytes at po. f64x2.gt is false for NaN, as numpy's `>`.
  (func (export "mask2") (param $pa i32) (param $pb i32) (param $po i32) (param $n i32) (param $t f64)
    (local $ts v128) (local $end i32)
    (local.set $ts (f64x2.splat (local.get $t)))
    (local.set $end (i32.add (local.get $po) (local.get $n)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $po) (local.get $end)))
        (v128.store (local.get $po)
          (v128.and
            (v128.const i8x16 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1)
            (i8x16.shuffle 0 2 4 6 8 10 12 14 16 18 20 22 24 26 28 30
              (i8x16.narrow_i16x8_s
                (i16x8.narrow_i32x4_s
                  (v128.or (f64x2.gt (v128.load offset=0 (local.get $pa)) (local.get $ts))
                           (f64x2.gt (v128.load offset=0 (local.get $pb)) (local.get $ts)))
                  (v128.or (f64x2.gt (v128.load offset=16 (local.get $pa)) (local.get $ts))
                           (f64x2.gt (v128.load offset=16 (local.get $pb)) (local.get $ts))))
                (i16x8.narrow_i32x4_s
                  (v128.or (f64x2.gt (v128.load offset=32 (local.get $pa)) (local.get $ts))
                           (f64x2.gt (v128.load offset=32 (local.get $pb)) (local.get $ts)))
                  (v128.or (f64x2.gt (v128.load offset=48 (local.get $pa)) (local.get $ts))
                           (f64x2.gt (v128.load offset=48 (local.get $pb)) (local.get $ts)))))
              (i8x16.narrow_i16x8_s
                (i16x8.narrow_i32x4_s
                  (v128.or (f64x2.gt (v128.load offset=64 (local.get $pa)) (local.get $ts))
                           (f64x2.gt (v128.load offset=64 (local.get $pb)) (local.get $ts)))
                  (v128.or (f64x2.gt (v128.load offset=80 (local.get $pa)) (local.get $ts))
                           (f64x2.gt (v128.load offset=80 (local.get $pb)) (local.get $ts))))
                (i16x8.narrow_i32x4_s
                  (v128.or (f64x2.gt (v128.load offset=96 (local.get $pa)) (local.get $ts))
                           (f64x2.gt (v128.load offset=96 (local.get $pb)) (local.get $ts)))
                  (v128.or (f64x2.gt (v128.load offset=112 (local.get $pa)) (local.get $ts))
                           (f64x2.gt (v128.load offset=112 (local.get $pb)) (local.get $ts))))))))
        (local.set $pa (i32.add (local.get $pa) (i32.const 128)))
        (local.set $pb (i32.add (local.get $pb) (i32.const 128)))
        (local.set $po (i32.add (local.get $po) (i32.const 16)))
        (br $next))))

  ;; out[i] = a[i] > t for i < n (n a multiple of 16), the one-channel case of mask2.
  (func (export "mask1") (param $pa i32) (param $po i32) (param $n i32) (param $t f64)
    (local $ts v128) (local $end i32)
    (local.set $ts (f64x2.splat (local.get $t)))
    (local.set $end (i32.add (local.get $po) (local.get $n)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $po) (local.get $end)))
        (v128.store (local.get $po)
          (v128.and
            (v128.const i8x16 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1)
            (i8x16.shuffle 0 2 4 6 8 10 12 14 16 18 20 22 24 26 28 30
              (i8x16.narrow_i16x8_s
                (i16x8.narrow_i32x4_s
                  (f64x2.gt (v128.load offset=0 (local.get $pa)) (local.get $ts))
                  (f64x2.gt (v128.load offset=16 (local.get $pa)) (local.get $ts)))
                (i16x8.narrow_i32x4_s
                  (f64x2.gt (v128.load offset=32 (local.get $pa)) (local.get $ts))
                  (f64x2.gt (v128.load offset=48 (local.get $pa)) (local.get $ts))))
              (i8x16.narrow_i16x8_s
                (i16x8.narrow_i32x4_s
                  (f64x2.gt (v128.load offset=64 (local.get $pa)) (local.get $ts))
                  (f64x2.gt (v128.load offset=80 (local.get $pa)) (local.get $ts)))
                (i16x8.narrow_i32x4_s
                  (f64x2.gt (v128.load offset=96 (local.get $pa)) (local.get $ts))
                  (f64x2.gt (v128.load offset=112 (local.get $pa)) (local.get $ts)))))))
        (local.set $pa (i32.add (local.get $pa) (i32.const 128)))
        (local.set $po (i32.add (local.get $po) (i32.const 16)))
        (br $next)))))
