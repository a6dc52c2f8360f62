package io.kubetune.trainer.prompt;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaProcessors;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import io.kubetune.trainer.UserInputException;
import io.kubetune.trainer.data.Turn;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A model's own chat_template (tokenizer_config.json), rendered the way transformers'
 * apply_chat_template does: Jinja with trim_blocks and lstrip_blocks, messages as {role, content},
 * bos_token, eos_token, add_generation_prompt and raise_exception. The template is outside input:
 * each render is bounded in output, string and list sizes, steps and time ({@link TemplateLimits}),
 * and errors never quote it.
 */
public final class JinjaChatTemplate implements ChatTemplate {
    /** Where a model's template comes from, as errors name it. */
    static final String SOURCE = "the model's tokenizer_config.json chat_template";

    private static final Jinjava JINJA = newJinjava();

    private final String template;
    private final Map<String, Object> variables;

    /**
     * @param variables bos_token, eos_token and any extra template variables (e.g. date_string)
     */
    public JinjaChatTemplate(String template, Map<String, Object> variables) {
        this.template = template;
        this.variables = Map.copyOf(variables);
    }

    public static JinjaChatTemplate of(String template, String bosToken, String eosToken) {
        Map<String, Object> variables = new HashMap<>();
        variables.put("bos_token", bosToken == null ? "" : bosToken);
        variables.put("eos_token", eosToken == null ? "" : eosToken);
        return new JinjaChatTemplate(template, variables);
    }

    @Override
    public String render(List<Turn> turns, boolean addGenerationPrompt) {
        Map<String, Object> bindings = new HashMap<>(variables);
        bindings.put("messages", messages(turns));
        bindings.put("add_generation_prompt", addGenerationPrompt);
        RenderResult result;
        try {
            result = TemplateLimits.run(() -> JINJA.renderForResult(template, bindings));
        } catch (TemplateLimits.Exceeded | OutOfMemoryError e) {
            throw refused(e instanceof OutOfMemoryError ? "exhausted the memory" : e.getMessage());
        }
        List<TemplateError> fatal =
                result.getErrors().stream()
                        .filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL)
                        .toList();
        if (!fatal.isEmpty()) {
            throw refused(describe(fatal.get(0)));
        }
        return result.getOutput();
    }

    private static UserInputException refused(String problem) {
        return new UserInputException(
                SOURCE
                        + " "
                        + problem
                        + "; set the dataset's template (or --template) to chatml, alpaca or"
                        + " vicuna to bypass it");
    }

    /** The template's own raise_exception text is for users; other errors by kind and line. */
    private static String describe(TemplateError error) {
        String refusal = TemplateFunctions.refusal(error.getException());
        if (refusal != null) {
            return "refused the conversation: " + refusal;
        }
        return "failed ("
                + String.valueOf(error.getReason()).toLowerCase(Locale.ROOT).replace('_', ' ')
                + (error.getLineno() > 0 ? " at line " + error.getLineno() : "")
                + ")";
    }

    private static List<Map<String, Object>> messages(List<Turn> turns) {
        List<Map<String, Object>> messages = new ArrayList<>(turns.size());
        for (Turn turn : turns) {
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("role", turn.role().templateName());
            message.put("content", turn.text());
            messages.add(message);
        }
        return messages;
    }

    private static Jinjava newJinjava() {
        Jinjava jinjava =
                new Jinjava(
                        JinjavaConfig.newBuilder()
                                .withTrimBlocks(true)
                                .withLstripBlocks(true)
                                .withNestedInterpretationEnabled(false)
                                .withMaxOutputSize(TemplateLimits.MAX_OUTPUT_CHARS)
                                .withMaxStringLength(TemplateLimits.MAX_STRING_CHARS)
                                .withMaxListSize(TemplateLimits.MAX_LIST_SIZE)
                                .withMaxMapSize(TemplateLimits.MAX_LIST_SIZE)
                                .withRangeLimit(TemplateLimits.RANGE_LIMIT)
                                .withMaxMacroRecursionDepth(TemplateLimits.MAX_MACRO_DEPTH)
                                .withProcessors(
                                        JinjavaProcessors.newBuilder()
                                                .withNodePreProcessor(TemplateLimits::beforeNode)
                                                .build())
                                .withLegacyOverrides(
                                        // Python Jinja semantics: {{- -}} trims, natural
                                        // operator precedence, strict whitespace control.
                                        LegacyOverrides.newBuilder()
                                                .withUseTrimmingForNotesAndExpressions(true)
                                                .withUseNaturalOperatorPrecedence(true)
                                                .withParseWhitespaceControlStrictly(true)
                                                .withAllowAdjacentTextNodes(true)
                                                .withKeepNullableLoopValues(true)
                                                .build())
                                .build());
        jinjava.getGlobalContext()
                .registerFunction(
                        new ELFunctionDefinition(
                                "",
                                "raise_exception",
                                TemplateFunctions.class,
                                "raiseException",
                                String.class));
        jinjava.getGlobalContext()
                .registerFunction(
                        new ELFunctionDefinition(
                                "",
                                "strftime_now",
                                TemplateFunctions.class,
                                "strftimeNow",
                                String.class));
        return jinjava;
    }
}
