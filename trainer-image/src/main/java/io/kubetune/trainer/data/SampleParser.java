package io.kubetune.trainer.data;

import io.kubetune.api.v1alpha1.ColumnMapping;
import io.kubetune.api.v1alpha1.DataFormat;
import io.kubetune.api.v1alpha1.DatasetSpec;
import io.kubetune.api.v1alpha1.PromptTemplate;
import java.util.Map;

/** Turns a record of one data format into a {@link Sample}. */
public interface SampleParser {
    /**
     * @throws MalformedRecordException naming the missing or wrong column
     */
    Sample parse(Map<String, Object> fields);

    /** The parser for a dataset: its format, column mapping and, for pairs, template. */
    static SampleParser of(DatasetSpec dataset) {
        SampleParser parser = of(dataset.format, dataset.columns);
        if (dataset.template == PromptTemplate.NONE) {
            if (parser instanceof PreferenceParser pairs) {
                return pairs.textOnly();
            }
            if (parser instanceof FeedbackParser feedback) {
                return feedback.textOnly();
            }
        }
        return parser;
    }

    /** The parser for a dataset's format, honouring its column mapping. */
    static SampleParser of(DataFormat format, ColumnMapping columns) {
        ColumnMapping c = columns == null ? new ColumnMapping() : columns;
        return switch (format) {
            case ALPACA ->
                    new InstructionParser(
                            or(c.instruction, "instruction"),
                            or(c.input, "input"),
                            or(c.output, "output"),
                            or(c.system, "system"));
            case DOLLY ->
                    new InstructionParser(
                            or(c.instruction, "instruction"),
                            or(c.input, "context"),
                            or(c.output, "response"),
                            or(c.system, "system"));
            case SHAREGPT ->
                    new ConversationParser(
                            or(c.messages, "conversations"),
                            or(c.roleKey, "from"),
                            or(c.contentKey, "value"),
                            or(c.system, "system"));
            case MESSAGES ->
                    new ConversationParser(
                            or(c.messages, "messages"),
                            or(c.roleKey, "role"),
                            or(c.contentKey, "content"),
                            or(c.system, "system"));
            case TEXT -> new TextParser(or(c.text, "text"));
            case PREFERENCE ->
                    new PreferenceParser(
                            new PreferenceParser.Columns(
                                    or(c.prompt, "prompt"),
                                    or(c.chosen, "chosen"),
                                    or(c.rejected, "rejected"),
                                    or(c.margin, "margin"),
                                    or(c.system, "system"),
                                    blankAsNull(c.instruction),
                                    or(c.input, "input"),
                                    blankAsNull(c.messages),
                                    blankAsNull(c.roleKey),
                                    blankAsNull(c.contentKey)),
                            false);
            case PROMPT ->
                    new PromptParser(
                            or(c.prompt, "prompt"),
                            blankAsNull(c.roleKey),
                            blankAsNull(c.contentKey));
            case KTO ->
                    new FeedbackParser(
                            or(c.prompt, "prompt"),
                            or(c.completion, "completion"),
                            or(c.label, "label"),
                            blankAsNull(c.roleKey),
                            blankAsNull(c.contentKey),
                            false);
        };
    }

    private static String blankAsNull(String mapped) {
        return mapped == null || mapped.isBlank() ? null : mapped;
    }

    private static String or(String mapped, String standard) {
        return mapped == null || mapped.isBlank() ? standard : mapped;
    }
}
