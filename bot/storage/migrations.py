"""Forward-only schema migrations; the position in this list is the schema version."""

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE people (
        telegram_id      INTEGER PRIMARY KEY,
        name             TEXT NOT NULL,
        organisation     TEXT NOT NULL,
        country          TEXT NOT NULL,
        region           TEXT NOT NULL,
        stakeholder_type TEXT NOT NULL,
        member_status    TEXT NOT NULL,
        email            TEXT,
        language         TEXT NOT NULL,
        created_at       TEXT NOT NULL,
        updated_at       TEXT NOT NULL
    );
    CREATE TABLE registrations (
        id          INTEGER PRIMARY KEY,
        person_id   INTEGER REFERENCES people(telegram_id) ON DELETE SET NULL,
        taskforce   TEXT NOT NULL,
        role        TEXT NOT NULL CHECK (role IN ('leader', 'representative', 'member')),
        status      TEXT NOT NULL CHECK (status IN ('active', 'pending', 'rejected', 'withdrawn')),
        region      TEXT,
        motivation  TEXT,
        decided_by  INTEGER,
        decided_at  TEXT,
        reason      TEXT,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
    );
    CREATE UNIQUE INDEX registrations_one_place
        ON registrations (person_id, taskforce) WHERE status IN ('active', 'pending');
    CREATE INDEX registrations_by_taskforce ON registrations (taskforce, status);
    CREATE TABLE audit_log (
        id         INTEGER PRIMARY KEY,
        at         TEXT NOT NULL,
        actor_id   INTEGER,
        action     TEXT NOT NULL,
        subject_id INTEGER,
        taskforce  TEXT,
        detail     TEXT
    );
    CREATE TABLE reminders (
        id           INTEGER PRIMARY KEY,
        telegram_id  INTEGER NOT NULL,
        kind         TEXT NOT NULL,
        due_at       TEXT NOT NULL,
        sent_at      TEXT,
        cancelled_at TEXT
    );
    CREATE UNIQUE INDEX reminders_one_open
        ON reminders (telegram_id, kind) WHERE sent_at IS NULL AND cancelled_at IS NULL;
    CREATE INDEX reminders_due ON reminders (due_at) WHERE sent_at IS NULL AND cancelled_at IS NULL;
    CREATE TABLE ptb_user_data (user_id INTEGER PRIMARY KEY, data TEXT NOT NULL);
    CREATE TABLE ptb_chat_data (chat_id INTEGER PRIMARY KEY, data TEXT NOT NULL);
    CREATE TABLE ptb_singletons (name TEXT PRIMARY KEY, data TEXT NOT NULL);
    CREATE TABLE ptb_conversations (
        name  TEXT NOT NULL,
        key   TEXT NOT NULL,
        state TEXT NOT NULL,
        PRIMARY KEY (name, key)
    );
    """,
)
