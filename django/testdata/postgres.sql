-- The tables of Django 3.2 with django.contrib.auth and simplejwt 5.2's
-- token_blacklist app, as `manage.py migrate` creates them on PostgreSQL
-- (sequences written as serial columns).
CREATE TABLE auth_user (id serial PRIMARY KEY, password varchar(128) NOT NULL, last_login timestamptz, is_superuser boolean NOT NULL, username varchar(150) NOT NULL UNIQUE, first_name varchar(150) NOT NULL, last_name varchar(150) NOT NULL, email varchar(254) NOT NULL, is_staff boolean NOT NULL, is_active boolean NOT NULL, date_joined timestamptz NOT NULL);
CREATE TABLE token_blacklist_outstandingtoken (id bigserial PRIMARY KEY, token text NOT NULL, created_at timestamptz, expires_at timestamptz NOT NULL, user_id integer REFERENCES auth_user (id) DEFERRABLE INITIALLY DEFERRED, jti varchar(255) NOT NULL UNIQUE);
CREATE INDEX token_blacklist_outstandingtoken_user_id_83bc629a ON token_blacklist_outstandingtoken (user_id);
CREATE TABLE token_blacklist_blacklistedtoken (id bigserial PRIMARY KEY, blacklisted_at timestamptz NOT NULL, token_id bigint NOT NULL UNIQUE REFERENCES token_blacklist_outstandingtoken (id) DEFERRABLE INITIALLY DEFERRED);
