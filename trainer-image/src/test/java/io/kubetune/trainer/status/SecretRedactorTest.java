package io.kubetune.trainer.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretRedactorTest {
    @Test
    void masksTheValuesOfSecretVariablesOnly() {
        SecretRedactor redactor =
                new SecretRedactor(
                        Map.of(
                                "HF_TOKEN", "hf_abcdefSECRET123",
                                "AWS_SECRET_ACCESS_KEY", "s3cr3t-key-value",
                                "AWS_ACCESS_KEY_ID", "minio-user",
                                "MY_PASSWORD", "hunter2hunter2",
                                "KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN", "/var/run/token",
                                "SOME_TOKEN", "true",
                                "HOME", "/root"));

        String out =
                redactor.redact(
                        "token hf_abcdefSECRET123, key s3cr3t-key-value, user minio-user,"
                                + " pass hunter2hunter2, file /var/run/token, flag true");

        assertThat(out)
                .isEqualTo(
                        "token ****, key ****, user minio-user, pass ****,"
                                + " file /var/run/token, flag true");
    }
}
