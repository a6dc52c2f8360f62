package io.kubetune.trainer.data;

import io.kubetune.api.v1alpha1.ColumnMapping;
import io.kubetune.api.v1alpha1.DataFormat;
import java.util.Map;

/** Turns a record of one data format into a {@link Sample}. */
public interface SampleParser {
    /**
     * @throws MalformedRecordException naming the missing or wrong column
     */
    Sample parse(Map<String, Object> fields);

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
            case PREFERENCE, KTO ->
                    throw new UnsupportedOperationException(
                            "format "
                                    + format.name().toLowerCase()
                                    + " is read by the rm, dpo and kto stages, which this trainer"
                                    + " version does not run yet; use stage sft or pt");
        };
    }

    private static String or(String mapped, String standard) {
        return mapped == null || mapped.isBlank() ? standard : mapped;
    }
}
