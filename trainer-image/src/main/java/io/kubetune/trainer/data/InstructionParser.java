package io.kubetune.trainer.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Alpaca {instruction, input, output} and Dolly {instruction, context, response} records. */
final class InstructionParser implements SampleParser {
    private final String instruction;
    private final String input;
    private final String output;
    private final String system;

    InstructionParser(String instruction, String input, String output, String system) {
        this.instruction = instruction;
        this.input = input;
        this.output = output;
        this.system = system;
    }

    @Override
    public Sample parse(Map<String, Object> fields) {
        List<Turn> turns = new ArrayList<>(3);
        String systemPrompt = Fields.optionalText(fields, system);
        if (systemPrompt != null) {
            turns.add(new Turn(Role.SYSTEM, systemPrompt));
        }
        turns.add(
                new Turn(
                        Role.USER,
                        Fields.requiredText(fields, instruction),
                        Fields.optionalText(fields, input)));
        turns.add(new Turn(Role.ASSISTANT, Fields.requiredText(fields, output)));
        return new Sample.Chat(turns);
    }
}
