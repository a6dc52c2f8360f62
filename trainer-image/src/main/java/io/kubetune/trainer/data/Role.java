package io.kubetune.trainer.data;

import java.util.Locale;

/** Who speaks a turn. Parses the names the common formats use. */
public enum Role {
    SYSTEM,
    USER,
    ASSISTANT;

    /** The lower-case name chat templates expect ("system", "user", "assistant"). */
    public String templateName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Accepts OpenAI (system/user/assistant) and ShareGPT (system/human/gpt) names. */
    public static Role parse(String name) {
        return switch (name == null ? "" : name.toLowerCase(Locale.ROOT)) {
            case "system" -> SYSTEM;
            case "user", "human" -> USER;
            case "assistant", "gpt", "bot", "model" -> ASSISTANT;
            default ->
                    throw new MalformedRecordException(
                            "unknown role \""
                                    + name
                                    + "\": use system, user/human or assistant/gpt");
        };
    }
}
