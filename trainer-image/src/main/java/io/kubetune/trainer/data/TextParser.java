package io.kubetune.trainer.data;

import java.util.Map;

/** Pre-training records {text}. */
final class TextParser implements SampleParser {
    private final String text;

    TextParser(String text) {
        this.text = text;
    }

    @Override
    public Sample parse(Map<String, Object> fields) {
        return new Sample.Text(Fields.requiredText(fields, text));
    }
}
