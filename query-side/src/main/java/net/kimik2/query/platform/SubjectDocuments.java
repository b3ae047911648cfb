package net.kimik2.query.platform;

import java.util.Map;
import org.bson.conversions.Bson;

/**
 * A projection that holds documents of a person. Erasure step 4 ({@code privacy.SubjectViewPurger}) counts and deletes them;
 * the projection itself deletes them again when it sees the erasure completed, so a replay or a late event cannot
 * leave them behind.
 */
public interface SubjectDocuments {

    /** Collection name to the filter that selects the person's documents in it. */
    Map<String, Bson> subjectDocuments(String userId);
}
