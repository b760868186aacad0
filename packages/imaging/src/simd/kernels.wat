;; WebAssembly SIMD-128 kernels of @hyped/imaging. This text is the source: `scripts/build-simd.ts` compiles it
;; with wabt into `kernels-wasm.ts` (committed), and `__tests__/simd.test.ts` recompiles it and checks the bytes.
;;
;; Memory: one linear memory exported as "memory", 9 pages (576 KiB), never grown. JavaScript copies the inputs
;; into a block of it (cache-sized), calls a kernel, and copies the output back: see `index.ts` (SIMD_BLOCK, the
;; offsets) for the layout. Every kernel works on a whole number of 32-element groups; the caller does the tail.
;;
;; Each loop iteration handles 32 pixels as four groups of 8, each group stored before the next is loaded: with
;; one 16-pixel store per iteration, V8's TurboFan hoisted all 16 loads to the top and spilled registers to the
;; stack (~95 instructions per 16 pixels; now ~58, 1.9 -> 1.5 ms over a frame in cache). Packing 8 float64
;; compare results (4 vectors of two i64 lanes, all-ones or zero) into 8 bytes of 0/1: a 32x4 shuffle keeps the
;; low i32 of each lane (x86 shufps), a signed narrowing to i16 and one to i8 keep -1/0 (the i8 narrowing of a
;; vector with itself; the low 8 bytes are stored), and i8x16.abs turns -1 into 1 (no constant to build). It is
;; written out in each kernel rather than called: V8 does not inline the call, which costs ~1 ms over a
;; 9-megapixel frame.
(module
  (memory (export "memory") 9)

  ;; out[i] = (a[i] > t) | (b[i] > t) for i < n (n a multiple of 32): a, b float64 at byte offsets pa, pb,
  ;; out bytes at po. f64x2.gt is false for NaN, as numpy's `>`.
  (func (export "mask2") (param $pa i32) (param $pb i32) (param $po i32) (param $n i32) (param $t f64)
    (local $ts v128) (local $end i32) (local $w v128)
    (local.set $ts (f64x2.splat (local.get $t)))
    (local.set $end (i32.add (local.get $po) (local.get $n)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $po) (local.get $end)))
        (v128.store64_lane offset=0 0 (local.get $po)
          (i8x16.abs (i8x16.narrow_i16x8_s (local.tee $w
            (i16x8.narrow_i32x4_s
              (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                (v128.or (f64x2.gt (v128.load offset=0 (local.get $pa)) (local.get $ts))
                         (f64x2.gt (v128.load offset=0 (local.get $pb)) (local.get $ts)))
                (v128.or (f64x2.gt (v128.load offset=16 (local.get $pa)) (local.get $ts))
                         (f64x2.gt (v128.load offset=16 (local.get $pb)) (local.get $ts))))
              (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                (v128.or (f64x2.gt (v128.load offset=32 (local.get $pa)) (local.get $ts))
                         (f64x2.gt (v128.load offset=32 (local.get $pb)) (local.get $ts)))
                (v128.or (f64x2.gt (v128.load offset=48 (local.get $pa)) (local.get $ts))
                         (f64x2.gt (v128.load offset=48 (local.get $pb)) (local.get $ts))))))
            (local.get $w))))
        (v128.store64_lane offset=8 0 (local.get $po)
          (i8x16.abs (i8x16.narrow_i16x8_s (local.tee $w
            (i16x8.narrow_i32x4_s
              (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                (v128.or (f64x2.gt (v128.load offset=64 (local.get $pa)) (local.get $ts))
                         (f64x2.gt (v128.load offset=64 (local.get $pb)) (local.get $ts)))
                (v128.or (f64x2.gt (v128.load offset=80 (local.get $pa)) (local.get $ts))
                         (f64x2.gt (v128.load offset=80 (local.get $pb)) (local.get $ts))))
              (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                (v128.or (f64x2.gt (v128.load offset=96 (local.get $pa)) (local.get $ts))
                         (f64x2.gt (v128.load offset=96 (local.get $pb)) (local.get $ts)))
                (v128.or (f64x2.gt (v128.load offset=112 (local.get $pa)) (local.get $ts))
                         (f64x2.gt (v128.load offset=112 (local.get $pb)) (local.get $ts))))))
            (local.get $w))))
        (v128.store64_lane offset=16 0 (local.get $po)
          (i8x16.abs (i8x16.narrow_i16x8_s (local.tee $w
            (i16x8.narrow_i32x4_s
              (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                (v128.or (f64x2.gt (v128.load offset=128 (local.get $pa)) (local.get $ts))
                         (f64x2.gt (v128.load offset=128 (local.get $pb)) (local.get $ts)))
                (v128.or (f64x2.gt (v128.load offset=144 (local.get $pa)) (local.get $ts))
                         (f64x2.gt (v128.load offset=144 (local.get $pb)) (local.get $ts))))
              (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                (v128.or (f64x2.gt (v128.load offset=160 (local.get $pa)) (local.get $ts))
                         (f64x2.gt (v128.load offset=160 (local.get $pb)) (local.get $ts)))
                (v128.or (f64x2.gt (v128.load offset=176 (local.get $pa)) (local.get $ts))
                         (f64x2.gt (v128.load offset=176 (local.get $pb)) (local.get $ts))))))
            (local.get $w))))
        (v128.store64_lane offset=24 0 (local.get $po)
          (i8x16.abs (i8x16.narrow_i16x8_s (local.tee $w
            (i16x8.narrow_i32x4_s
              (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                (v128.or (f64x2.gt (v128.load offset=192 (local.get $pa)) (local.get $ts))
                         (f64x2.gt (v128.load offset=192 (local.get $pb)) (local.get $ts)))
                (v128.or (f64x2.gt (v128.load offset=208 (local.get $pa)) (local.get $ts))
                         (f64x2.gt (v128.load offset=208 (local.get $pb)) (local.get $ts))))
              (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                (v128.or (f64x2.gt (v128.load offset=224 (local.get $pa)) (local.get $ts))
                         (f64x2.gt (v128.load offset=224 (local.get $pb)) (local.get $ts)))
                (v128.or (f64x2.gt (v128.load offset=240 (local.get $pa)) (local.get $ts))
                         (f64x2.gt (v128.load offset=240 (local.get $pb)) (local.get $ts))))))
            (local.get $w))))
        (local.set $pa (i32.add (local.get $pa) (i32.const 256)))
        (local.set $pb (i32.add (local.get $pb) (i32.const 256)))
        (local.set $po (i32.add (local.get $po) (i32.const 32)))
        (br $next))))

  ;; out[i] = a[i] > t for i < n (n a multiple of 32), the one-channel case of mask2.
  (func (export "mask1") (param $pa i32) (param $po i32) (param $n i32) (param $t f64)
    (local $ts v128) (local $end i32) (local $w v128)
    (local.set $ts (f64x2.splat (local.get $t)))
    (local.set $end (i32.add (local.get $po) (local.get $n)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $po) (local.get $end)))
        (v128.store64_lane offset=0 0 (local.get $po)
          (i8x16.abs (i8x16.narrow_i16x8_s (local.tee $w
            (i16x8.narrow_i32x4_s
              (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                (f64x2.gt (v128.load offset=0 (local.get $pa)) (local.get $ts))
                (f64x2.gt (v128.load offset=16 (local.get $pa)) (local.get $ts)))
              (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                (f64x2.gt (v128.load offset=32 (local.get $pa)) (local.get $ts))
                (f64x2.gt (v128.load offset=48 (local.get $pa)) (local.get $ts)))))
            (local.get $w))))
        (v128.store64_lane offset=8 0 (local.get $po)
          (i8x16.abs (i8x16.narrow_i16x8_s (local.tee $w
            (i16x8.narrow_i32x4_s
              (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                (f64x2.gt (v128.load offset=64 (local.get $pa)) (local.get $ts))
                (f64x2.gt (v128.load offset=80 (local.get $pa)) (local.get $ts)))
              (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                (f64x2.gt (v128.load offset=96 (local.get $pa)) (local.get $ts))
                (f64x2.gt (v128.load offset=112 (local.get $pa)) (local.get $ts)))))
            (local.get $w))))
        (v128.store64_lane offset=16 0 (local.get $po)
          (i8x16.abs (i8x16.narrow_i16x8_s (local.tee $w
            (i16x8.narrow_i32x4_s
              (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                (f64x2.gt (v128.load offset=128 (local.get $pa)) (local.get $ts))
                (f64x2.gt (v128.load offset=144 (local.get $pa)) (local.get $ts)))
              (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                (f64x2.gt (v128.load offset=160 (local.get $pa)) (local.get $ts))
                (f64x2.gt (v128.load offset=176 (local.get $pa)) (local.get $ts)))))
            (local.get $w))))
        (v128.store64_lane offset=24 0 (local.get $po)
          (i8x16.abs (i8x16.narrow_i16x8_s (local.tee $w
            (i16x8.narrow_i32x4_s
              (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                (f64x2.gt (v128.load offset=192 (local.get $pa)) (local.get $ts))
                (f64x2.gt (v128.load offset=208 (local.get $pa)) (local.get $ts)))
              (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                (f64x2.gt (v128.load offset=224 (local.get $pa)) (local.get $ts))
                (f64x2.gt (v128.load offset=240 (local.get $pa)) (local.get $ts)))))
            (local.get $w))))
        (local.set $pa (i32.add (local.get $pa) (i32.const 256)))
        (local.set $po (i32.add (local.get $po) (i32.const 32)))
        (br $next)))))
