;; WebAssembly SIMD-128 kernel of @hyped/imaging's CZI Zstd1 decoder: undoing hi-lo byte packing. This text is
;; the source: `pnpm build:simd` (scripts/build-simd.ts, wabt) compiles it into `hilo-wasm.ts` (committed), and
;; `scripts/__tests__/simd-wat.test.ts` recompiles it and checks the bytes. `zstd.ts` loads it.
;;
;; Memory: one linear memory exported as "memory", 128 pages (8 MiB), that never grows (growing would detach
;; its ArrayBuffer). `zstd.ts` owns the layout: the packed region is the first 4 MiB (the zstd decoder writes
;; straight into it), the output region the next 4 MiB.
(module
  (memory (export "memory") 128)

  ;; Hi-lo unpacking of `half` 16-bit words: the low bytes are at [pl, pl + half), the high bytes right after
  ;; them at [pl + half, pl + 2 half); writes out[2i] = lo[i], out[2i + 1] = hi[i] at po. The regions must not
  ;; overlap. 16 words per step (one 16-byte load of each half; the two byte interleavings are what x86's
  ;; punpcklbw / punpckhbw and Arm's zip1 / zip2 do), then a byte loop for the last half mod 16 words.
  (func (export "unpack") (param $pl i32) (param $po i32) (param $half i32)
    (local $ph i32) (local $end i32) (local $last i32) (local $l v128) (local $h v128)
    (local.set $ph (i32.add (local.get $pl) (local.get $half)))
    (local.set $last (local.get $ph))
    (local.set $end (i32.add (local.get $pl) (i32.and (local.get $half) (i32.const -16))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $pl) (local.get $end)))
        (local.set $l (v128.load (local.get $pl)))
        (local.set $h (v128.load (local.get $ph)))
        (v128.store offset=0 (local.get $po)
          (i8x16.shuffle 0 16 1 17 2 18 3 19 4 20 5 21 6 22 7 23 (local.get $l) (local.get $h)))
        (v128.store offset=16 (local.get $po)
          (i8x16.shuffle 8 24 9 25 10 26 11 27 12 28 13 29 14 30 15 31 (local.get $l) (local.get $h)))
        (local.set $pl (i32.add (local.get $pl) (i32.const 16)))
        (local.set $ph (i32.add (local.get $ph) (i32.const 16)))
        (local.set $po (i32.add (local.get $po) (i32.const 32)))
        (br $next)))
    (block $tail
      (loop $byte
        (br_if $tail (i32.ge_u (local.get $pl) (local.get $last)))
        (i32.store8 offset=0 (local.get $po) (i32.load8_u (local.get $pl)))
        (i32.store8 offset=1 (local.get $po) (i32.load8_u (local.get $ph)))
        (local.set $pl (i32.add (local.get $pl) (i32.const 1)))
        (local.set $ph (i32.add (local.get $ph) (i32.const 1)))
        (local.set $po (i32.add (local.get $po) (i32.const 2)))
        (br $byte)))))
