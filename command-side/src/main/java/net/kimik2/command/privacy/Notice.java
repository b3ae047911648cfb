package net.kimik2.command.privacy;

/**
 * A notice to a person: {@code POLICY_CHANGED} (reference: the new version) or {@code NEW_DEVICE} (reference: the
 * session id). Carries ids only; a sender that mails it looks the address up at delivery, under the person's key.
 */
public record Notice(String noticeId, String userId, String kind, String reference) {
}
