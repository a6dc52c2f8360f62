/**
 * The preference stages (rm, dpo, kto) and their mathematics, apart from any model or loop:
 * sequence log-probabilities of a pair batch, the DPO family of losses (TRL's sigmoid, ipo, hinge,
 * robust; LLaMA-Factory's orpo and simpo), the reward model's pairwise loss and TRL's KTO loss on
 * judged answers with its in-batch KL estimate, each with the metrics TRL logs under the names TRL
 * gives them. Scalars inside differentiated expressions are created natively (see
 * shared/DJL-NOTES.md, bug 1), never passed as Java numbers.
 */
package io.kubetune.trainer.train.stage.preference;
