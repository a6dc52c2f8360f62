package io.kubetune.trainer.cli;

import io.kubetune.trainer.generate.ChatSession;
import io.kubetune.trainer.model.PretrainedModel;
import io.kubetune.trainer.tokenizer.HfTokenizer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code kubetune chat}: a conversation on the terminal. Each line read from stdin is a message;
 * the answer is printed and the conversation kept, so the next message is answered in its light.
 */
@Command(
        name = "chat",
        mixinStandardHelpOptions = true,
        description =
                "Talks with a model (and an optional PEFT adapter: LoRA, DoRA, prompt, prefix or P-tuning): one message a line on"
                        + " stdin, /reset forgets the conversation, /exit or end of input ends it.")
public final class ChatCommand implements Callable<Integer> {
    @Mixin ModelOptions models;

    @Mixin GenerationOptions generation;

    @Override
    public Integer call() throws Exception {
        boolean interactive = System.console() != null;
        try (PretrainedModel loaded = models.load();
                HfTokenizer tokenizer = HfTokenizer.load(models.model)) {
            ChatSession session = generation.session(loaded, tokenizer, models, System.err);
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            if (interactive) {
                System.out.print("> ");
                System.out.flush();
            }
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String message = line.strip();
                if (message.equals("/exit")) {
                    break;
                }
                if (message.equals("/reset")) {
                    session.reset();
                } else if (!message.isEmpty()) {
                    System.out.println(session.reply(message));
                }
                if (interactive) {
                    System.out.print("> ");
                    System.out.flush();
                }
            }
        }
        return 0;
    }
}
