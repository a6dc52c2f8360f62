/**
 * Decoder-only transformers as Hugging Face checkpoints define them, on DJL.
 *
 * <p><b>One decoder.</b> Every family runs on {@link io.kubetune.trainer.model.DecoderLm}: token
 * embeddings, the family's {@link io.kubetune.trainer.model.decoder.PositionEncoding}, a stack of
 * {@link io.kubetune.trainer.model.decoder.DecoderLayer}s (norm, {@link
 * io.kubetune.trainer.model.decoder.CausalSelfAttention}, residual; norm, {@link
 * io.kubetune.trainer.model.decoder.FeedForward}, residual), a final norm, and heads on the hidden
 * states chosen by {@link io.kubetune.trainer.model.Heads}: the LM head (tied or {@code lm_head})
 * and the scalar {@code score} head of a reward model. {@code forward(ps, input, training)} returns
 * a {@link io.kubetune.trainer.model.ModelOutput}: {@code hidden()}, and {@code logits()} or {@code
 * scores()} computed only when asked.
 *
 * <p><b>How a new family plugs in.</b> A family is its config mapping and its tensor names:
 *
 * <ol>
 *   <li>Write a {@link io.kubetune.trainer.model.DecoderFamily} in a package of its own: {@code
 *       config(HfConfig)} maps {@code config.json} onto a {@link
 *       io.kubetune.trainer.model.decoder.DecoderConfig} (heads and GQA, biases, sliding window in
 *       {@code AttentionSpec}; width, activation, gating in {@code FeedForwardSpec}; LayerNorm or
 *       RMSNorm in {@code NormSpec}; learned or rotary positions in {@code PositionSpec}), refusing
 *       what the skeleton does not compute with a message naming the key and value; {@code
 *       bodyBindings(model)} names the checkpoint tensor of every body parameter (embeddings,
 *       layers, final norm), with a {@link io.kubetune.trainer.model.io.WeightLayout} where the
 *       checkpoint stores it differently (transposed, fused). The heads ({@code lm_head.weight},
 *       {@code score.weight}) are named by the decoder itself.
 *   <li>Register it for its {@code model_type} in {@link
 *       io.kubetune.trainer.model.ArchitectureRegistry#standard()}.
 *   <li>Add a case to {@code tools/reference/make_model_fixtures.py} and to the parity tests:
 *       logits, loss and greedy tokens against transformers.
 * </ol>
 *
 * <p>A family whose computation the skeleton lacks (another norm placement, a new position
 * encoding, parallel attention and feed-forward) adds the part to {@code model.decoder} behind the
 * existing interfaces ({@code Norm}, {@code PositionEncoding}) or a new field of {@code
 * DecoderConfig}, so the next family can reuse it. LoRA, weight export and checkpoints work from
 * the bindings alone.
 */
package io.kubetune.trainer.model;
