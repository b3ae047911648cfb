package net.kimik2.api.credits;

public enum GrantType {
    PROMOTIONAL,
    PAID
}
