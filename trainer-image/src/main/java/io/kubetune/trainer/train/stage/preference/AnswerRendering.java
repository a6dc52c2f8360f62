package io.kubetune.trainer.train.stage.preference;

import io.kubetune.api.v1alpha1.DatasetSpec;
import io.kubetune.api.v1alpha1.PromptTemplate;
import io.kubetune.trainer.prompt.ChatTemplate;
import io.kubetune.trainer.prompt.ChatTemplates;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import io.kubetune.trainer.tokenizer.SpecialTokens;

/**
 * How a preference dataset's prompts and answers become text: its chat template (null under
 * template none, where texts are joined and the EOS text appended to answers).
 */
record AnswerRendering(ChatTemplate template, boolean writesSpecialTokens, String eos) {
    static AnswerRendering of(DatasetSpec dataset, HfTokenizer tokenizer) {
        SpecialTokens special = tokenizer.specialTokens();
        String eos = special.eos().map(SpecialTokens.Token::content).orElse("");
        if (dataset.template == PromptTemplate.NONE) {
            return new AnswerRendering(null, false, eos);
        }
        ChatTemplates.Choice choice = ChatTemplates.choose(dataset.template, special);
        return new AnswerRendering(choice.template(), choice.writesSpecialTokens(), eos);
    }
}
