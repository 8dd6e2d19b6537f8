// Compiled from small.zi by the Zi compiler 0.1.0. Do not edit: change the source and build again.
import { defineContract } from '@zi/sdk';

const zi_traps = ["integer overflow in `*` (u32) at small.zi:13:12"];
function zi_trap(k) {
  throw new RangeError(zi_traps[k]);
}
const $LIMIT = 50;

function $square($x) {
  let t;
  return ((t = $x * $x) <= 4294967295 ? t : zi_trap(0));
}

function $walk($n) {
  let t1, t2, t3;
  let $z_re = 0.5, $z_im = 0.25;
  t1 = ($n / 100);
  const $c_re = t1, $c_im = 0.1;
  for (let __zi_i1 = 0, __zi_e1 = $LIMIT; __zi_i1 < __zi_e1; __zi_i1++) {
    if ((($z_re * $z_re + $z_im * $z_im) > 4)) {
      return { steps: __zi_i1, last: $z_re, big: ($square($n) > 200) };
    }
    t2 = (($z_re * $z_re - $z_im * $z_im) + $c_re), t3 = (($z_re * $z_im + $z_im * $z_re) + $c_im), $z_re = t2, $z_im = t3;
  }
  return { steps: $LIMIT, last: $z_im, big: false };
}

const zi_at = (i) => 10 + i;

export default defineContract({
  name: "small",
  version: "2",
  description: "golden output",
  price: 3n,
  limits: { gasPerMcu: 56 },
  inputs: { count: 10, at: zi_at },
  mcu: $walk,
});
