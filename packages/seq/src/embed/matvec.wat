;; A dense matrix-vector product in WebAssembly SIMD-128 (f64x2, four accumulators), for the Lanczos PCA on the
;; genes x genes covariance (see simd.ts, which lays out the memory and calls it).
;; Compiled by scripts/build-simd.ts (repo root) into matvec-wasm.ts; commit both files after editing.
;;
;; The summation order is part of the contract (results are compared bit for bit with earlier releases): per row,
;; accumulator q sums the products of lanes j + 2q and j + 2q + 1 of each 8-wide column block, in column order;
;; then s = (a0 + a1) + (a2 + a3) and y[i] = lane0(s) + lane1(s).
(module
  (import "e" "m" (memory 1))
  ;; y[i] = sum_j G[i*stride + j] * x[j] for i < rows; stride a multiple of 8 (rows zero padded), pointers in bytes
  (func (export "mv") (param $g i32) (param $x i32) (param $y i32) (param $rows i32) (param $stride i32)
    (local $i i32) (local $j i32) (local $row i32) (local $sb i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    ;; sb = stride * 8 (a row in bytes); row = g
    local.get $stride
    i32.const 3
    i32.shl
    local.set $sb
    local.get $g
    local.set $row
    block $rows_done
      loop $rows_loop
        local.get $i
        local.get $rows
        i32.ge_u
        br_if $rows_done
        v128.const i64x2 0 0
        local.set $a0
        v128.const i64x2 0 0
        local.set $a1
        v128.const i64x2 0 0
        local.set $a2
        v128.const i64x2 0 0
        local.set $a3
        i32.const 0
        local.set $j
        block $cols_done
          loop $cols_loop
            local.get $j
            local.get $sb
            i32.ge_u
            br_if $cols_done
            ;; aq += G[row + j + 16q bytes] * x[j + 16q bytes], q = 0..3
            local.get $a0
            local.get $row
            local.get $j
            i32.add
            v128.load offset=0 align=8
            local.get $x
            local.get $j
            i32.add
            v128.load offset=0 align=8
            f64x2.mul
            f64x2.add
            local.set $a0
            local.get $a1
            local.get $row
            local.get $j
            i32.add
            v128.load offset=16 align=8
            local.get $x
            local.get $j
            i32.add
            v128.load offset=16 align=8
            f64x2.mul
            f64x2.add
            local.set $a1
            local.get $a2
            local.get $row
            local.get $j
            i32.add
            v128.load offset=32 align=8
            local.get $x
            local.get $j
            i32.add
            v128.load offset=32 align=8
            f64x2.mul
            f64x2.add
            local.set $a2
            local.get $a3
            local.get $row
            local.get $j
            i32.add
            v128.load offset=48 align=8
            local.get $x
            local.get $j
            i32.add
            v128.load offset=48 align=8
            f64x2.mul
            f64x2.add
            local.set $a3
            ;; j += 64 bytes (8 float64)
            local.get $j
            i32.const 64
            i32.add
            local.set $j
            br $cols_loop
          end
        end
        ;; a0 = (a0 + a1) + (a2 + a3)
        local.get $a0
        local.get $a1
        f64x2.add
        local.get $a2
        local.get $a3
        f64x2.add
        f64x2.add
        local.set $a0
        ;; y[i] = lane0 + lane1
        local.get $y
        local.get $i
        i32.const 3
        i32.shl
        i32.add
        local.get $a0
        f64x2.extract_lane 0
        local.get $a0
        f64x2.extract_lane 1
        f64.add
        f64.store align=8
        ;; row += sb; i += 1
        local.get $row
        local.get $sb
        i32.add
        local.set $row
        local.get $i
        i32.const 1
        i32.add
        local.set $i
        br $rows_loop
      end
    end))
