package net.kimik2.command.privacy;

/**
 * Delivers notices from the outbox (email, push, ...). Throwing leaves the notice in the outbox for the next try.
 * Without a bean of this type the service logs each notice without personal data.
 */
public interface NoticeSender {

    void send(Notice notice);
}
