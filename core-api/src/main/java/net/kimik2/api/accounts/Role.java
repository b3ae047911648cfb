package net.kimik2.api.accounts;

public enum Role {
    USER,
    ADMIN
}
