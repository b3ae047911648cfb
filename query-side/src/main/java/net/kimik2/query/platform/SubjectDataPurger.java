package net.kimik2.query.platform;

/** A projection that holds documents of a person; erasure asks each to delete or redact them. */
public interface SubjectDataPurger {

    /** Deletes or redacts the person's documents (idempotent); answers how many documents were affected. */
    long purgeSubject(String userId);
}
