package net.kimik2.api.privacy;

/** Step 4 (views): deletes or redacts every view document of the person; answers how many documents went. */
public record PurgeSubjectViewsCommand(String userId) {
}
