;; WebAssembly SIMD-128 kernel of SSIM with a Gaussian window (@hyped/metrics). This text is the source:
;; `scripts/build-simd.ts` compiles it with wabt into `ssim-gauss-wasm.ts` (committed), and the repo's
;; `scripts/__tests__/simd-wat.test.ts` recompiles it and checks the bytes.
;;
;; Every function does, two adjacent columns at a time (one f64x2 lane each), exactly the float64 operations of
;; the JavaScript kernel in `kernel.ts` (verticalGauss, horizontalGaussSsim and the crop sum of ssimRows), in the
;; same order: wasm float arithmetic is IEEE-754 round-to-nearest per lane with no fused multiply-add, so the
;; results are the same bits. Only the number of columns per step differs. When the row length is odd the last
;; step computes one column past the row end; the caller leaves 16 bytes of slack after every buffer and
;; overwrites or ignores that lane.
;;
;; Memory: one linear memory exported as "memory", 16 MiB from the start so that a band of a frame fits without
;; growing it (growing detaches the old buffer, which slows every typed-array access in the process afterwards);
;; `ssim-simd.ts` owns the layout and grows it only for rows too wide for that.
;; Weights: `2R + 1` float64 at $pw (normalised, symmetric; $pw + 8R is the centre tap).
;; Filtered rows: five padded rows (x, y, x², y², xy) of W + 2R float64, $ps bytes apart, the first at $pP.
(module
  (memory (export "memory") 256)

  ;; Vertical pass for one output row. X and Y hold 2R + 1 consecutive float64 input rows of $rowBytes bytes
  ;; each (the band rows centred on the output row), at $pX and $pY. For the columns in [0, $nBytes / 8):
  ;;   sx = wc·x_R, sxx = (wc·x_R)·x_R, sxy = (wc·x_R)·y_R, and likewise sy, syy;
  ;;   then for k < R: sx += w_k·(x_k + x_{2R−k}), sxx += w_k·(x_k² + x_{2R−k}²), sxy += w_k·(x_k·y_k + x_{2R−k}·y_{2R−k}), ...
  ;; written at column R + c of the five padded rows.
  (func (export "vgauss")
    (param $pX i32) (param $pY i32) (param $rowBytes i32) (param $nBytes i32)
    (param $pw i32) (param $R i32) (param $pP i32) (param $ps i32)
    (local $j i32) (local $a1 i32) (local $a2 i32) (local $dy i32) (local $k i32) (local $q i32) (local $pk i32)
    (local $wc v128) (local $wk v128) (local $xm v128) (local $ym v128)
    (local $sx v128) (local $sy v128) (local $sxx v128) (local $syy v128) (local $sxy v128)
    (local $x1 v128) (local $x2 v128) (local $y1 v128) (local $y2 v128)
    (local.set $dy (i32.sub (local.get $pY) (local.get $pX)))
    (local.set $wc (v128.load64_splat (i32.add (local.get $pw) (i32.shl (local.get $R) (i32.const 3)))))
    (block $done
      (loop $col
        (br_if $done (i32.ge_u (local.get $j) (local.get $nBytes)))
        (local.set $a1 (i32.add (i32.add (local.get $pX) (local.get $j)) (i32.mul (local.get $R) (local.get $rowBytes))))
        (local.set $xm (v128.load (local.get $a1)))
        (local.set $ym (v128.load (i32.add (local.get $a1) (local.get $dy))))
        (local.set $sx (f64x2.mul (local.get $wc) (local.get $xm)))
        (local.set $sy (f64x2.mul (local.get $wc) (local.get $ym)))
        (local.set $sxx (f64x2.mul (local.get $sx) (local.get $xm)))
        (local.set $syy (f64x2.mul (local.get $sy) (local.get $ym)))
        (local.set $sxy (f64x2.mul (local.get $sx) (local.get $ym)))
        (local.set $a1 (i32.add (local.get $pX) (local.get $j)))
        (local.set $a2 (i32.add (local.get $a1) (i32.mul (i32.shl (local.get $R) (i32.const 1)) (local.get $rowBytes))))
        (local.set $pk (local.get $pw))
        (local.set $k (local.get $R))
        (block $kdone
          (loop $tap
            (br_if $kdone (i32.eqz (local.get $k)))
            (local.set $wk (v128.load64_splat (local.get $pk)))
            (local.set $x1 (v128.load (local.get $a1)))
            (local.set $x2 (v128.load (local.get $a2)))
            (local.set $y1 (v128.load (i32.add (local.get $a1) (local.get $dy))))
            (local.set $y2 (v128.load (i32.add (local.get $a2) (local.get $dy))))
            (local.set $sx (f64x2.add (local.get $sx) (f64x2.mul (local.get $wk) (f64x2.add (local.get $x1) (local.get $x2)))))
            (local.set $sy (f64x2.add (local.get $sy) (f64x2.mul (local.get $wk) (f64x2.add (local.get $y1) (local.get $y2)))))
            (local.set $sxx (f64x2.add (local.get $sxx) (f64x2.mul (local.get $wk)
              (f64x2.add (f64x2.mul (local.get $x1) (local.get $x1)) (f64x2.mul (local.get $x2) (local.get $x2))))))
            (local.set $syy (f64x2.add (local.get $syy) (f64x2.mul (local.get $wk)
              (f64x2.add (f64x2.mul (local.get $y1) (local.get $y1)) (f64x2.mul (local.get $y2) (local.get $y2))))))
            (local.set $sxy (f64x2.add (local.get $sxy) (f64x2.mul (local.get $wk)
              (f64x2.add (f64x2.mul (local.get $x1) (local.get $y1)) (f64x2.mul (local.get $x2) (local.get $y2))))))
            (local.set $a1 (i32.add (local.get $a1) (local.get $rowBytes)))
            (local.set $a2 (i32.sub (local.get $a2) (local.get $rowBytes)))
            (local.set $pk (i32.add (local.get $pk) (i32.const 8)))
            (local.set $k (i32.sub (local.get $k) (i32.const 1)))
            (br $tap)))
        (local.set $q (i32.add (local.get $pP) (i32.add (local.get $j) (i32.shl (local.get $R) (i32.const 3)))))
        (v128.store (local.get $q) (local.get $sx))
        (local.set $q (i32.add (local.get $q) (local.get $ps)))
        (v128.store (local.get $q) (local.get $sy))
        (local.set $q (i32.add (local.get $q) (local.get $ps)))
        (v128.store (local.get $q) (local.get $sxx))
        (local.set $q (i32.add (local.get $q) (local.get $ps)))
        (v128.store (local.get $q) (local.get $syy))
        (local.set $q (i32.add (local.get $q) (local.get $ps)))
        (v128.store (local.get $q) (local.get $sxy))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $col))))

  ;; Horizontal pass and the SSIM formula for one row: for the columns c in [0, $nBytes / 8), with p the five
  ;; padded rows (border already filled), ux = wc·px[c+R] + Σ_{k<R} w_k·(px[c+k] + px[c+2R−k]) and likewise
  ;; uy, uxx, uyy, uxy; then vx = covNorm·(uxx − ux·ux), vy, vxy likewise, and
  ;; out[c] = ((2ux)·uy + C1)·(2vxy + C2) / ((ux·ux + uy·uy + C1)·(vx + vy + C2)), float64 at $pOut.
  (func (export "hgauss")
    (param $pP i32) (param $ps i32) (param $pw i32) (param $R i32) (param $pOut i32) (param $nBytes i32)
    (param $covNorm f64) (param $C1 f64) (param $C2 f64)
    (local $j i32) (local $i1 i32) (local $i2 i32) (local $m i32) (local $k i32) (local $pk i32)
    (local $ps2 i32) (local $ps3 i32) (local $ps4 i32)
    (local $wc v128) (local $wk v128) (local $cn v128) (local $c1 v128) (local $c2 v128)
    (local $ux v128) (local $uy v128) (local $uxx v128) (local $uyy v128) (local $uxy v128)
    (local $vx v128) (local $vy v128) (local $vxy v128)
    (local.set $ps2 (i32.shl (local.get $ps) (i32.const 1)))
    (local.set $ps3 (i32.add (local.get $ps2) (local.get $ps)))
    (local.set $ps4 (i32.shl (local.get $ps) (i32.const 2)))
    (local.set $wc (v128.load64_splat (i32.add (local.get $pw) (i32.shl (local.get $R) (i32.const 3)))))
    (local.set $cn (f64x2.splat (local.get $covNorm)))
    (local.set $c1 (f64x2.splat (local.get $C1)))
    (local.set $c2 (f64x2.splat (local.get $C2)))
    (block $done
      (loop $col
        (br_if $done (i32.ge_u (local.get $j) (local.get $nBytes)))
        (local.set $i1 (i32.add (local.get $pP) (local.get $j)))
        (local.set $m (i32.add (local.get $i1) (i32.shl (local.get $R) (i32.const 3))))
        (local.set $ux (f64x2.mul (local.get $wc) (v128.load (local.get $m))))
        (local.set $uy (f64x2.mul (local.get $wc) (v128.load (i32.add (local.get $m) (local.get $ps)))))
        (local.set $uxx (f64x2.mul (local.get $wc) (v128.load (i32.add (local.get $m) (local.get $ps2)))))
        (local.set $uyy (f64x2.mul (local.get $wc) (v128.load (i32.add (local.get $m) (local.get $ps3)))))
        (local.set $uxy (f64x2.mul (local.get $wc) (v128.load (i32.add (local.get $m) (local.get $ps4)))))
        (local.set $i2 (i32.add (local.get $i1) (i32.shl (local.get $R) (i32.const 4))))
        (local.set $pk (local.get $pw))
        (local.set $k (local.get $R))
        (block $kdone
          (loop $tap
            (br_if $kdone (i32.eqz (local.get $k)))
            (local.set $wk (v128.load64_splat (local.get $pk)))
            (local.set $ux (f64x2.add (local.get $ux) (f64x2.mul (local.get $wk)
              (f64x2.add (v128.load (local.get $i1)) (v128.load (local.get $i2))))))
            (local.set $uy (f64x2.add (local.get $uy) (f64x2.mul (local.get $wk)
              (f64x2.add (v128.load (i32.add (local.get $i1) (local.get $ps))) (v128.load (i32.add (local.get $i2) (local.get $ps)))))))
            (local.set $uxx (f64x2.add (local.get $uxx) (f64x2.mul (local.get $wk)
              (f64x2.add (v128.load (i32.add (local.get $i1) (local.get $ps2))) (v128.load (i32.add (local.get $i2) (local.get $ps2)))))))
            (local.set $uyy (f64x2.add (local.get $uyy) (f64x2.mul (local.get $wk)
              (f64x2.add (v128.load (i32.add (local.get $i1) (local.get $ps3))) (v128.load (i32.add (local.get $i2) (local.get $ps3)))))))
            (local.set $uxy (f64x2.add (local.get $uxy) (f64x2.mul (local.get $wk)
              (f64x2.add (v128.load (i32.add (local.get $i1) (local.get $ps4))) (v128.load (i32.add (local.get $i2) (local.get $ps4)))))))
            (local.set $i1 (i32.add (local.get $i1) (i32.const 8)))
            (local.set $i2 (i32.sub (local.get $i2) (i32.const 8)))
            (local.set $pk (i32.add (local.get $pk) (i32.const 8)))
            (local.set $k (i32.sub (local.get $k) (i32.const 1)))
            (br $tap)))
        (local.set $vx (f64x2.mul (local.get $cn) (f64x2.sub (local.get $uxx) (f64x2.mul (local.get $ux) (local.get $ux)))))
        (local.set $vy (f64x2.mul (local.get $cn) (f64x2.sub (local.get $uyy) (f64x2.mul (local.get $uy) (local.get $uy)))))
        (local.set $vxy (f64x2.mul (local.get $cn) (f64x2.sub (local.get $uxy) (f64x2.mul (local.get $ux) (local.get $uy)))))
        ;; 2·v is v + v exactly (doubling is exact, overflow included)
        (v128.store (i32.add (local.get $pOut) (local.get $j))
          (f64x2.div
            (f64x2.mul
              (f64x2.add (f64x2.mul (f64x2.add (local.get $ux) (local.get $ux)) (local.get $uy)) (local.get $c1))
              (f64x2.add (f64x2.add (local.get $vxy) (local.get $vxy)) (local.get $c2)))
            (f64x2.mul
              (f64x2.add (f64x2.add (f64x2.mul (local.get $ux) (local.get $ux)) (f64x2.mul (local.get $uy) (local.get $uy))) (local.get $c1))
              (f64x2.add (f64x2.add (local.get $vx) (local.get $vy)) (local.get $c2)))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $col))))

  ;; The sum of $n float64 at $p as ssimRows takes it: s0 over the even positions, s1 over the odd ones (both
  ;; from 0, in order), an odd last element added to s0, result s0 + s1.
  (func (export "rowsum") (param $p i32) (param $n i32) (result f64)
    (local $acc v128) (local $end i32) (local $s0 f64)
    (local.set $end (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $acc (f64x2.add (local.get $acc) (v128.load (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $next)))
    (local.set $s0 (f64x2.extract_lane 0 (local.get $acc)))
    (if (i32.and (local.get $n) (i32.const 1))
      (then (local.set $s0 (f64.add (local.get $s0) (f64.load (local.get $end))))))
    (f64.add (local.get $s0) (f64x2.extract_lane 1 (local.get $acc))))
)
