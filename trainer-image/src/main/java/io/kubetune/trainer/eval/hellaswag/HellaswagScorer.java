package io.kubetune.trainer.eval.hellaswag;

import io.kubetune.trainer.eval.ContinuationScore;
import io.kubetune.trainer.eval.ContinuationScorer;
import io.kubetune.trainer.eval.EncodedRequest;
import io.kubetune.trainer.eval.LogLikelihoodModel;
import io.kubetune.trainer.eval.RequestEncoder;
import io.kubetune.trainer.eval.TokenEncoder;
import java.util.ArrayList;
import java.util.List;

/**
 * Scores hellaswag items zero-shot exactly as lm-evaluation-harness does: each item's query is the
 * context and {@code " " + choice} each continuation; the ending with the highest summed
 * log-likelihood is the prediction ({@code acc}), or the highest per character ({@code acc_norm}).
 */
public final class HellaswagScorer {

    /** lm-eval's {@code target_delimiter}, put between the query and each choice. */
    public static final String TARGET_DELIMITER = " ";

    private final RequestEncoder requestEncoder;
    private final ContinuationScorer continuationScorer;

    /**
     * @param encoder the model's tokenizer, default special tokens on
     * @param model the model
     * @param batchSize items per forward batch (four continuations each)
     */
    public HellaswagScorer(TokenEncoder encoder, LogLikelihoodModel model, int batchSize) {
        this.requestEncoder = new RequestEncoder(encoder);
        this.continuationScorer = new ContinuationScorer(model, batchSize);
    }

    /** Scores the items; per-item results come back in the order given. */
    public HellaswagScores score(List<HellaswagItem> items) {
        List<HellaswagDoc> docs = items.stream().map(HellaswagPreprocessor::toDoc).toList();
        List<List<EncodedRequest>> requests = new ArrayList<>(docs.size());
        for (HellaswagDoc doc : docs) {
            requests.add(encode(doc));
        }
        List<List<ContinuationScore>> scores = continuationScorer.score(requests);
        List<HellaswagItemResult> results = new ArrayList<>(docs.size());
        for (int i = 0; i < docs.size(); i++) {
            results.add(HellaswagItemResult.judge(docs.get(i), scores.get(i)));
        }
        return HellaswagScores.of(results);
    }

    /** The item's four requests in tokens, as lm-eval's Hugging Face model builds them. */
    public List<EncodedRequest> encode(HellaswagDoc doc) {
        List<EncodedRequest> requests = new ArrayList<>(doc.choices().size());
        for (String choice : doc.choices()) {
            try {
                requests.add(requestEncoder.encode(doc.query(), TARGET_DELIMITER + choice));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "item " + doc.index() + " cannot be scored: " + e.getMessage(), e);
            }
        }
        return requests;
    }
}
