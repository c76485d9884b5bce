/**
 * Transformer-encoder forecaster (tfjs, wasm backend), PatchTST-style: the input window is cut
 * into patches (default 12 steps = 1 h), each patch is embedded with a learned position, a small
 * pre-norm encoder (default 2 layers, d = 32, 4 heads) mixes them, and a linear head maps
 * [last token, mean of tokens] to the direct multi-step p10/p50/p90 outputs. The seed
 * framework's setting is `{ windowSteps: 2016, horizonSteps: 288 }` (168 h in, 24 h out); the
 * default reads one day. Shared training code: neural-common.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { dense, layerNorm, mm, NeuralForecaster, outputHead, type ForecastNet, type NetShape, type NeuralOptions, type ParamFactory } from './neural-common.js';

export interface TransformerOptions extends NeuralOptions {
  /** Model width (default 32). */
  dModel?: number;
  /** Attention heads (default 4); must divide dModel. */
  heads?: number;
  /** Encoder layers (default 2). */
  layers?: number;
  /** Feed-forward width (default 2 × dModel). */
  ff?: number;
}

interface Block {
  /** Query, key and value projections fused into one matMul. */
  wqkv: tf.Tensor2D;
  bqkv: tf.Tensor1D;
  wo: tf.Tensor2D;
  bo: tf.Tensor1D;
  w1: tf.Tensor2D;
  b1: tf.Tensor1D;
  w2: tf.Tensor2D;
  b2: tf.Tensor1D;
}

export class TransformerForecaster extends NeuralForecaster {
  private readonly dModel: number;
  private readonly heads: number;
  private readonly layers: number;
  private readonly ff: number;

  constructor(opts: TransformerOptions = {}) {
    super('transformer', opts);
    this.dModel = opts.dModel ?? 32;
    this.heads = opts.heads ?? 4;
    this.layers = opts.layers ?? 2;
    this.ff = opts.ff ?? 2 * this.dModel;
    if (this.dModel % this.heads !== 0) throw new Error(`transformer: dModel (${this.dModel}) must be a multiple of heads (${this.heads})`);
  }

  override describe(): Record<string, number | string | boolean> {
    return { ...super.describe(), dModel: this.dModel, heads: this.heads, layers: this.layers, ff: this.ff };
  }

  protected build(shape: NetShape, p: ParamFactory): ForecastNet {
    const d = this.dModel;
    const nh = this.heads;
    const dh = d / nh;
    const T = shape.tokens;
    const embW = p.glorot([shape.patch, d]);
    const embB = p.zeros1(d);
    const pos = p.uniform([T, d], 0.02);
    const blocks: Block[] = Array.from({ length: this.layers }, () => ({
      wqkv: p.glorot([d, 3 * d]),
      bqkv: p.zeros1(3 * d),
      wo: p.glorot([d, d]),
      bo: p.zeros1(d),
      w1: p.glorot([d, this.ff]),
      b1: p.zeros1(this.ff),
      w2: p.glorot([this.ff, d]),
      b2: p.zeros1(d),
    }));
    const head = outputHead(p, 2 * d, shape);
    const scale = 1 / Math.sqrt(dh);

    return {
      variables: p.variables,
      apply(x: tf.Tensor3D): tf.Tensor2D {
        const b = x.shape[0];
        /** [B, T, d] → [B, heads, T, dh] */
        const heads = (t: tf.Tensor) => t.reshape([b, T, nh, dh]).transpose([0, 2, 1, 3]);
        let h: tf.Tensor = tf.add(dense(x, embW, embB), pos);
        for (const k of blocks) {
          const [q, kk, v] = tf.split(dense(layerNorm(h), k.wqkv, k.bqkv), 3, 2);
          const att = tf.softmax(tf.mul(mm(heads(q), heads(kk).transpose([0, 1, 3, 2])), scale));
          const ctx = mm(att, heads(v)).transpose([0, 2, 1, 3]).reshape([b, T, d]);
          h = tf.add(h, dense(ctx, k.wo, k.bo));
          h = tf.add(h, dense(tf.relu(dense(layerNorm(h), k.w1, k.b1)), k.w2, k.b2));
        }
        h = layerNorm(h);
        const last = h.slice([0, T - 1, 0], [b, 1, d]).reshape([b, d]);
        return head(tf.concat([last, tf.mean(h, 1)], 1));
      },
    };
  }
}
