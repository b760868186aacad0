/**
 * A constant-velocity Kalman filter for 2-D positions, one frame per step.
 *
 * State per axis: (position, velocity); the x and y axes share dynamics, noise and observation times, so
 * their covariances are always equal and we keep one 2x2 symmetric covariance (p00, p01, p11) per track.
 * Process noise is white acceleration of SD `accel` (px/frame²): Q = accel² [[1/4, 1/2], [1/2, 1]];
 * measurement noise is isotropic of SD `meas` (px). This is the same model as btrack's default motion
 * model (constant velocity, position observed), written for 2-D.
 */

/** Filter state of one track (mutable). */
export interface KalmanState {
  x: number;
  y: number;
  vx: number;
  vy: number;
  /** Position variance (per axis), px². */
  p00: number;
  /** Position–velocity covariance, px²/frame. */
  p01: number;
  /** Velocity variance, (px/frame)². */
  p11: number;
}

/** A new state at an observed position with zero velocity of SD `velocitySd` (px/frame). */
export function kalmanInit(x: number, y: number, measSd: number, velocitySd: number): KalmanState {
  return { x, y, vx: 0, vy: 0, p00: measSd * measSd, p01: 0, p11: velocitySd * velocitySd };
}

/** Advance one frame (in place). */
export function kalmanPredict(s: KalmanState, accelSd: number): void {
  const q = accelSd * accelSd;
  s.x += s.vx;
  s.y += s.vy;
  const p00 = s.p00 + 2 * s.p01 + s.p11 + q / 4;
  const p01 = s.p01 + s.p11 + q / 2;
  s.p11 = s.p11 + q;
  s.p00 = p00;
  s.p01 = p01;
}

/** Innovation variance per axis for a measurement of SD `measSd`. */
export function kalmanInnovationVariance(s: KalmanState, measSd: number): number {
  return s.p00 + measSd * measSd;
}

/** Incorporate an observed position (in place). */
export function kalmanUpdate(s: KalmanState, zx: number, zy: number, measSd: number): void {
  const S = s.p00 + measSd * measSd;
  const k0 = s.p00 / S;
  const k1 = s.p01 / S;
  const ix = zx - s.x;
  const iy = zy - s.y;
  s.x += k0 * ix;
  s.y += k0 * iy;
  s.vx += k1 * ix;
  s.vy += k1 * iy;
  const p00 = (1 - k0) * s.p00;
  const p01 = (1 - k0) * s.p01;
  s.p11 = s.p11 - k1 * s.p01;
  s.p00 = p00;
  s.p01 = p01;
}

/** Position variance per axis after `steps` predictions without update (closed form), px². */
export function kalmanPositionVarianceAfter(s: KalmanState, steps: number, accelSd: number): number {
  // p00(n) = p00 + 2n p01 + n² p11 + q Σ_{k=1..n} (k - 1/2)² = ... + q (n³/3 - n/12)
  const q = accelSd * accelSd;
  const n = steps;
  return s.p00 + 2 * n * s.p01 + n * n * s.p11 + q * ((n * n * n) / 3 - n / 12);
}
