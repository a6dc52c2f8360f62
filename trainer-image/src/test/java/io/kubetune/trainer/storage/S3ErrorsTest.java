package io.kubetune.trainer.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.minio.errors.ErrorResponseException;
import io.minio.errors.InvalidResponseException;
import io.minio.messages.ErrorResponse;
import org.junit.jupiter.api.Test;

/** What an S3 failure says in a status or log: its code or kind, never the server's words. */
class S3ErrorsTest {
    @Test
    void errorAnswerIsDescribedByItsCodeOnly() {
        ErrorResponse answer =
                new ErrorResponse(
                        "AccessDenied", "SECRET server text", "bucket", "key", "/r", "id", "h");

        assertThat(S3Errors.describe(new ErrorResponseException(answer, null, "trace")))
                .isEqualTo("S3 answered AccessDenied");
    }

    @Test
    void answerThatIsNotS3sIsDescribedWithoutItsBody() {
        InvalidResponseException html =
                new InvalidResponseException(200, "text/html", "<html>SECRET-PAGE</html>", "t");

        assertThat(html.getMessage()).contains("SECRET-PAGE"); // what used to reach the status
        assertThat(S3Errors.describe(html)).isEqualTo("InvalidResponseException");
    }
}
