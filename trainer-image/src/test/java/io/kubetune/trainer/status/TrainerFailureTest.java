package io.kubetune.trainer.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.api.v1alpha1.TrainerContract;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.NoSuchFileException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainerFailureTest {
    private static final SecretRedactor NO_SECRETS = new SecretRedactor(Map.of());

    @Test
    void onlyASpecThatCannotRunIsAnInvalidSpec() {
        assertThat(TrainerFailure.exitCode(new IllegalArgumentException("spec.stage dpo ...")))
                .isEqualTo(TrainerContract.EXIT_INVALID_SPEC);
        // a network error may pass on the next attempt: not "invalid spec"
        assertThat(TrainerFailure.exitCode(new ConnectException("Connection refused")))
                .isEqualTo(TrainerContract.EXIT_FAILED);
        assertThat(TrainerFailure.exitCode(new IOException("disk full")))
                .isEqualTo(TrainerContract.EXIT_FAILED);
        assertThat(TrainerFailure.exitCode(new IllegalStateException("bug")))
                .isEqualTo(TrainerContract.EXIT_FAILED);
    }

    @Test
    void theMessageIsOneLineAndSaysWhatHappened() {
        assertThat(TrainerFailure.message(new NoSuchFileException("/data/x.jsonl"), NO_SECRETS))
                .isEqualTo("NoSuchFileException: /data/x.jsonl");
        assertThat(
                        TrainerFailure.message(
                                new IllegalArgumentException("spec.model.uri x\n does not exist"),
                                NO_SECRETS))
                .isEqualTo("spec.model.uri x does not exist");
        assertThat(TrainerFailure.message(new NullPointerException(), NO_SECRETS))
                .isEqualTo("NullPointerException");
    }
}
