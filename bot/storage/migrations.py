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
    """
    CREATE TABLE known_users (
        telegram_id INTEGER PRIMARY KEY,
        username    TEXT COLLATE NOCASE,
        full_name   TEXT NOT NULL,
        language    TEXT,
        first_seen  TEXT NOT NULL
    );
    CREATE INDEX known_users_by_username ON known_users (username);
    CREATE TABLE facilitators (
        telegram_id INTEGER NOT NULL,
        taskforce   TEXT NOT NULL,
        assigned_by INTEGER,
        assigned_at TEXT NOT NULL,
        PRIMARY KEY (telegram_id, taskforce)
    );
    CREATE INDEX facilitators_by_taskforce ON facilitators (taskforce);
    ALTER TABLE registrations ADD COLUMN reminders_sent INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE registrations ADD COLUMN next_reminder_at TEXT;
    CREATE INDEX registrations_reminder_due ON registrations (next_reminder_at)
        WHERE status = 'pending' AND next_reminder_at IS NOT NULL;
    CREATE UNIQUE INDEX registrations_one_leader
        ON registrations (taskforce) WHERE role = 'leader' AND status = 'active';
    CREATE UNIQUE INDEX registrations_one_representative_per_region
        ON registrations (taskforce, region) WHERE role = 'representative' AND status = 'active';
    ALTER TABLE people ADD COLUMN member_status_confirmed INTEGER;
    CREATE TABLE prompts (
        registration_id INTEGER NOT NULL REFERENCES registrations(id) ON DELETE CASCADE,
        chat_id         INTEGER NOT NULL,
        message_id      INTEGER NOT NULL,
        PRIMARY KEY (registration_id, chat_id, message_id)
    );
    CREATE TABLE outbox (
        id              INTEGER PRIMARY KEY,
        chat_id         INTEGER NOT NULL,
        kind            TEXT NOT NULL,
        registration_id INTEGER REFERENCES registrations(id) ON DELETE CASCADE,
        edit_message_id INTEGER,
        params          TEXT,
        created_at      TEXT NOT NULL,
        sent_at         TEXT,
        failed_at       TEXT
    );
    CREATE INDEX outbox_pending ON outbox (id) WHERE sent_at IS NULL AND failed_at IS NULL;
    CREATE TABLE ticks (name TEXT PRIMARY KEY, last_run_at TEXT NOT NULL);
    """,
    """
    ALTER TABLE known_users ADD COLUMN chosen_language TEXT;
    """,
    """
    ALTER TABLE outbox ADD COLUMN lane INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE outbox ADD COLUMN next_attempt_at TEXT;
    ALTER TABLE outbox ADD COLUMN failure TEXT;
    DROP INDEX outbox_pending;
    CREATE INDEX outbox_due ON outbox (lane, id) WHERE sent_at IS NULL AND failed_at IS NULL;
    ALTER TABLE known_users ADD COLUMN unreachable_at TEXT;
    """,
    """
    CREATE TABLE broadcasts (
        id                  INTEGER PRIMARY KEY,
        author_id           INTEGER NOT NULL,
        author_name         TEXT NOT NULL,
        author_scope        TEXT,
        state               TEXT NOT NULL,
        content             TEXT NOT NULL,
        audience            TEXT NOT NULL DEFAULT '{}',
        total               INTEGER NOT NULL DEFAULT 0,
        created_at          TEXT NOT NULL,
        started_at          TEXT,
        finished_at         TEXT,
        progress_chat_id    INTEGER,
        progress_message_id INTEGER,
        progress_at         TEXT
    );
    CREATE INDEX broadcasts_by_author ON broadcasts (author_id, id);
    ALTER TABLE outbox ADD COLUMN broadcast_id INTEGER REFERENCES broadcasts(id);
    CREATE INDEX outbox_by_broadcast ON outbox (broadcast_id) WHERE broadcast_id IS NOT NULL;
    CREATE INDEX outbox_broadcast_waiting ON outbox (broadcast_id)
        WHERE broadcast_id IS NOT NULL AND sent_at IS NULL AND failed_at IS NULL;
    ALTER TABLE people ADD COLUMN announcements INTEGER NOT NULL DEFAULT 1;
    CREATE INDEX registrations_by_person ON registrations (person_id);
    CREATE INDEX registrations_in_order ON registrations (taskforce);
    """,
    """
    CREATE TABLE group_links (
        taskforce     TEXT PRIMARY KEY,
        chat_id       INTEGER NOT NULL UNIQUE,
        title         TEXT NOT NULL,
        invite_link   TEXT,
        language      TEXT NOT NULL DEFAULT 'en',
        welcome       INTEGER NOT NULL DEFAULT 1,
        broken_at     TEXT,
        broken_reason TEXT,
        linked_by     INTEGER,
        linked_at     TEXT NOT NULL
    );
    CREATE TABLE join_requests (
        chat_id    INTEGER NOT NULL,
        user_id    INTEGER NOT NULL,
        asked_at   TEXT NOT NULL,
        approved   INTEGER NOT NULL,
        decided_at TEXT NOT NULL,
        PRIMARY KEY (chat_id, user_id, asked_at)
    );
    """,
    """
    ALTER TABLE outbox ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
    """,
    """
    CREATE TABLE delphi_rounds (
        id          INTEGER PRIMARY KEY,
        study       TEXT NOT NULL,
        round       INTEGER NOT NULL,
        definition  TEXT NOT NULL,
        opens_at    TEXT NOT NULL,
        closes_at   TEXT NOT NULL,
        opened_at   TEXT,
        closed_at   TEXT,
        loaded_by   INTEGER,
        loaded_at   TEXT NOT NULL,
        UNIQUE (study, round)
    );
    CREATE TABLE delphi_studies (study TEXT PRIMARY KEY, secret BLOB NOT NULL);
    CREATE TABLE delphi_panel (
        round_id         INTEGER NOT NULL REFERENCES delphi_rounds(id) ON DELETE CASCADE,
        person_id        INTEGER NOT NULL,
        region           TEXT,
        stakeholder_type TEXT,
        PRIMARY KEY (round_id, person_id)
    );
    CREATE TABLE delphi_places (
        round_id  INTEGER NOT NULL REFERENCES delphi_rounds(id) ON DELETE CASCADE,
        taskforce TEXT NOT NULL,
        person_id INTEGER NOT NULL,
        PRIMARY KEY (round_id, taskforce, person_id)
    );
    CREATE INDEX delphi_places_by_person ON delphi_places (person_id);
    CREATE TABLE delphi_asked (
        round_id  INTEGER NOT NULL REFERENCES delphi_rounds(id) ON DELETE CASCADE,
        person_id INTEGER NOT NULL,
        question  INTEGER NOT NULL,
        PRIMARY KEY (round_id, person_id, question)
    );
    CREATE INDEX delphi_asked_by_question ON delphi_asked (round_id, question);
    CREATE INDEX delphi_asked_by_person ON delphi_asked (person_id);
    CREATE TABLE delphi_answers (
        round_id    INTEGER NOT NULL REFERENCES delphi_rounds(id) ON DELETE CASCADE,
        question    INTEGER NOT NULL,
        person_id   INTEGER NOT NULL,
        value       REAL,
        text        TEXT,
        comment     TEXT,
        answered_at TEXT NOT NULL,
        PRIMARY KEY (round_id, question, person_id)
    );
    CREATE INDEX delphi_answers_by_person ON delphi_answers (person_id);
    CREATE TABLE delphi_waiting (
        person_id    INTEGER PRIMARY KEY,
        round_id     INTEGER NOT NULL REFERENCES delphi_rounds(id) ON DELETE CASCADE,
        question     INTEGER NOT NULL,
        what         TEXT NOT NULL CHECK (what IN ('answer', 'comment')),
        since_update INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE delphi_reminders (
        round_id INTEGER NOT NULL REFERENCES delphi_rounds(id) ON DELETE CASCADE,
        due_at   TEXT NOT NULL,
        sent_at  TEXT,
        PRIMARY KEY (round_id, due_at)
    );
    """,
    # 9: a remembered update id counts for a bounded time (services/redelivery.py), so it is stored with
    # when it was applied. Ids stored before have no time: they count from this migration on.
    """
    ALTER TABLE delphi_waiting ADD COLUMN since_at TEXT;
    UPDATE delphi_waiting SET since_at = strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now');
    UPDATE ptb_user_data
        SET data = json_set(data, '$.applied_at', strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'))
        WHERE json_valid(data) AND json_type(data, '$.applied_update') = 'integer'
            AND json_type(data, '$.applied_at') IS NULL;
    """,
    # 10: a Representative place is for its own region, whatever its holder's profile says later.
    # - Every active or pending Representative place has a region (a NULL would slip past the unique
    #   index on active places by task force and region, there since migration 2); a trigger keeps it so.
    # - Two active ones for one region (only possible through such a NULL): the first approved keeps
    #   the place, the others become Team Members of the task force, and the audit says why.
    # - Whose profile moved away from the region of their place is asked what to do with it, as a
    #   change of region now asks (the question's renderer checks it still applies when it goes).
    # - A place applied for after leaving the one of another region remembers it (`moved_from`).
    """
    CREATE TEMP TABLE second_representatives AS
        SELECT r.id, r.person_id, r.taskforce
        FROM registrations r LEFT JOIN people p ON p.telegram_id = r.person_id
        WHERE r.role = 'representative' AND r.status = 'active' AND EXISTS (
            SELECT 1 FROM registrations o LEFT JOIN people q ON q.telegram_id = o.person_id
            WHERE o.taskforce = r.taskforce AND o.role = 'representative' AND o.status = 'active'
              AND COALESCE(o.region, q.region) = COALESCE(r.region, p.region)
              AND (COALESCE(o.decided_at, o.created_at), o.id) < (COALESCE(r.decided_at, r.created_at), r.id));
    INSERT INTO audit_log (at, actor_id, action, subject_id, taskforce, detail)
        SELECT strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'), NULL, 'registration.demoted', person_id, taskforce,
               '{"reason": "one representative per region"}'
        FROM second_representatives;
    UPDATE registrations SET role = 'member', updated_at = strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now')
        WHERE id IN (SELECT id FROM second_representatives);
    DROP TABLE second_representatives;
    UPDATE registrations
        SET region = (SELECT p.region FROM people p WHERE p.telegram_id = registrations.person_id)
        WHERE role = 'representative' AND status IN ('active', 'pending') AND region IS NULL;
    UPDATE registrations SET role = 'member'
        WHERE role = 'representative' AND status IN ('active', 'pending') AND region IS NULL;
    CREATE TRIGGER registrations_representative_region_on_insert BEFORE INSERT ON registrations
        WHEN NEW.role = 'representative' AND NEW.status IN ('active', 'pending') AND NEW.region IS NULL
        BEGIN SELECT RAISE(ABORT, 'a Representative place needs its region'); END;
    CREATE TRIGGER registrations_representative_region_on_update BEFORE UPDATE OF role, status, region
        ON registrations
        WHEN NEW.role = 'representative' AND NEW.status IN ('active', 'pending') AND NEW.region IS NULL
        BEGIN SELECT RAISE(ABORT, 'a Representative place needs its region'); END;
    ALTER TABLE registrations ADD COLUMN moved_from INTEGER REFERENCES registrations(id);
    INSERT INTO outbox (chat_id, kind, registration_id, params, created_at, lane)
        SELECT r.person_id, 'place_region', r.id, json_object('region', p.region),
               strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'), 1
        FROM registrations r JOIN people p ON p.telegram_id = r.person_id
        WHERE r.role = 'representative' AND r.status IN ('active', 'pending') AND r.region != p.region;
    """,
    # 11: people.language goes: written at joining and never read. The language the bot writes in is the
    # known user's, chosen with /language or else their Telegram's; no index, trigger or view names the column.
    """
    ALTER TABLE people DROP COLUMN language;
    """,
    # 12: when the Secretariat was told of a round's failed invitations, once they had all settled. Rounds
    # opened before are taken as told: their invitations went long ago, and a late notice would puzzle.
    """
    ALTER TABLE delphi_rounds ADD COLUMN invitations_told_at TEXT;
    UPDATE delphi_rounds SET invitations_told_at = opened_at WHERE opened_at IS NOT NULL;
    """,
    # 13: a registration says what was decided and who ended it, instead of letting later writes overwrite it.
    # - `verdict`: the facilitator's decision (approve, reject, not_member), read back from the audit for the
    #   rows decided before. "Not a member" no longer turns the application into a Team Member's place: it
    #   stays the application it was, and a Team Member's place is added beside it.
    # - `declared_status`: the member status the applicant declared, as the decider saw it (a "not a member"
    #   verdict then overwrites the profile's); unknown for rows decided before.
    # - `ended_by`: 'person' (left, gave the place up, deleted their data) or 'secretariat' (/withdraw): a
    #   place someone left reads "left", one the Secretariat withdrew "withdrawn". Before, the audit tells:
    #   a withdrawal recorded at the row's last change by someone other than its person was the Secretariat's.
    """
    ALTER TABLE registrations ADD COLUMN verdict TEXT CHECK (verdict IN ('approve', 'reject', 'not_member'));
    ALTER TABLE registrations ADD COLUMN declared_status TEXT;
    ALTER TABLE registrations ADD COLUMN ended_by TEXT CHECK (ended_by IN ('person', 'secretariat'));
    UPDATE registrations SET verdict = (
        SELECT substr(a.action, length('decision.') + 1) FROM audit_log a
        WHERE a.action IN ('decision.approve', 'decision.reject', 'decision.not_member')
          AND json_valid(a.detail) AND json_extract(a.detail, '$.registration') = registrations.id
        ORDER BY a.id DESC LIMIT 1)
    WHERE decided_by IS NOT NULL;
    UPDATE registrations SET ended_by = CASE WHEN EXISTS (
        SELECT 1 FROM audit_log a
        WHERE a.action = 'registration.withdrawn' AND a.subject_id = registrations.person_id
          AND a.taskforce = registrations.taskforce AND a.at = registrations.updated_at
          AND a.actor_id IS NOT NULL AND a.actor_id != a.subject_id) THEN 'secretariat' ELSE 'person' END
    WHERE status = 'withdrawn';
    """,
    # 14: whether the Secretariat shows a comment to the panel of the next round (1), hides it (0), or has not
    # reviewed it yet (NULL). Comments given before are not reviewed: none reaches a panel until it is shown.
    """
    ALTER TABLE delphi_answers ADD COLUMN comment_shown INTEGER CHECK (comment_shown IN (0, 1));
    """,
    # 15: the health check's write (GET /healthz proves the database takes writes).
    """
    CREATE TABLE health_checks (id INTEGER PRIMARY KEY CHECK (id = 1), checked_at TEXT NOT NULL);
    """,
    # 16: the catalogue of actions and projects (issue 24). An entry is one row from its first answer (a
    # draft), so that a kill, or another flow started meanwhile, loses nothing; changes to a submitted entry
    # are a draft row of their own (`revises`) until submitted. Its task forces are rows, to read a task
    # force's catalogue by index; the messages that ask for its review too.
    # `author_id` is the contact, NULL once they deleted their data ("contact withdrawn").
    """
    CREATE TABLE projects (
        id                INTEGER PRIMARY KEY,
        author_id         INTEGER,
        revises           INTEGER REFERENCES projects(id) ON DELETE CASCADE,
        status            TEXT NOT NULL
            CHECK (status IN ('draft', 'review', 'changes', 'accepted', 'declined', 'withdrawn')),
        title             TEXT,
        kind              TEXT CHECK (kind IN ('ongoing', 'planned')),
        countries         TEXT,
        region            TEXT,
        lead_organisation TEXT,
        partners          TEXT,
        summary           TEXT,
        contribution      TEXT,
        stage             TEXT CHECK (stage IN ('idea', 'design', 'ready', 'running', 'completed')),
        budget_amount     INTEGER CHECK (budget_amount >= 0),
        budget_currency   TEXT,
        funding_amount    INTEGER CHECK (funding_amount >= 0),
        funding_currency  TEXT,
        starts            TEXT,
        ends              TEXT,
        link              TEXT,
        document_id       TEXT,
        document_name     TEXT,
        language          TEXT,
        flow              TEXT,
        comment           TEXT,
        decided_by        INTEGER,
        decided_at        TEXT,
        submitted_at      TEXT,
        reminders_sent    INTEGER NOT NULL DEFAULT 0,
        next_reminder_at  TEXT,
        created_at        TEXT NOT NULL,
        updated_at        TEXT NOT NULL
    );
    CREATE INDEX projects_by_author ON projects (author_id);
    CREATE UNIQUE INDEX projects_one_revision ON projects (revises) WHERE revises IS NOT NULL;
    CREATE INDEX projects_review_due ON projects (next_reminder_at)
        WHERE status = 'review' AND next_reminder_at IS NOT NULL;
    CREATE TABLE project_taskforces (
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        taskforce  TEXT NOT NULL,
        PRIMARY KEY (project_id, taskforce)
    );
    CREATE INDEX project_taskforces_by_code ON project_taskforces (taskforce, project_id);
    CREATE TABLE project_prompts (
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        chat_id    INTEGER NOT NULL,
        message_id INTEGER NOT NULL,
        PRIMARY KEY (project_id, chat_id, message_id)
    );
    """,
    # 17: the catalogue's life (issue 24): progress updates by an entry's author or Leader, with when the next is
    # due for a running entry; offers to contribute, one per person and entry, so that the author is told once.
    """
    ALTER TABLE projects ADD COLUMN progress_due_at TEXT;
    CREATE INDEX projects_progress_due ON projects (progress_due_at)
        WHERE status = 'accepted' AND progress_due_at IS NOT NULL;
    CREATE INDEX projects_in_catalogue ON projects (status, stage, region) WHERE status = 'accepted';
    CREATE TABLE project_updates (
        id         INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        author_id  INTEGER,
        text       TEXT NOT NULL,
        at         TEXT NOT NULL
    );
    CREATE INDEX project_updates_latest ON project_updates (project_id, at);
    CREATE INDEX project_updates_by_author ON project_updates (author_id);
    CREATE TABLE project_offers (
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        person_id  INTEGER NOT NULL,
        at         TEXT NOT NULL,
        PRIMARY KEY (project_id, person_id)
    );
    CREATE INDEX project_offers_by_person ON project_offers (person_id);
    """,
    # 18: a person's consent to be listed by name and organisation on the public site (issue 26), off until they
    # turn it on in /profile; it counts only while they hold a Global Leader's or a Regional Representative's place.
    """
    ALTER TABLE people ADD COLUMN listed INTEGER NOT NULL DEFAULT 0;
    """,
    # 19: what the Secretariat publishes on the public site (issue 26): an accepted entry of the catalogue its
    # facilitators marked public (cleared whenever it leaves the catalogue: accepted again, it is marked again), and
    # a closed Delphi round whose aggregates the Secretariat chose to show.
    """
    ALTER TABLE projects ADD COLUMN public_at TEXT;
    CREATE INDEX projects_public ON projects (public_at) WHERE public_at IS NOT NULL;
    ALTER TABLE delphi_rounds ADD COLUMN published_at TEXT;
    """,
    # 20: the public site keeps its pages until what they show changes (issue 26): every write to what it reads bumps
    # one number, by triggers, so that no write path of today or tomorrow can forget to. Profiles, places, group
    # chats and progress updates always; entries, Delphi rounds and answers only where they are public. The active
    # places indexed apart: the site's counts read them all (at 250 000 registrations, 0.3 s instead of 0.7).
    """
    CREATE TABLE site_state (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
    CREATE INDEX registrations_active_places ON registrations (taskforce, person_id, role, region)
        WHERE status = 'active';
    INSERT INTO site_state (id, version) VALUES (1, 0);
    CREATE TRIGGER site_people_insert AFTER INSERT ON people
        BEGIN UPDATE site_state SET version = version + 1; END;
    CREATE TRIGGER site_people_update AFTER UPDATE ON people
        BEGIN UPDATE site_state SET version = version + 1; END;
    CREATE TRIGGER site_people_delete AFTER DELETE ON people
        BEGIN UPDATE site_state SET version = version + 1; END;
    CREATE TRIGGER site_registrations_insert AFTER INSERT ON registrations
        BEGIN UPDATE site_state SET version = version + 1; END;
    CREATE TRIGGER site_registrations_update AFTER UPDATE ON registrations
        BEGIN UPDATE site_state SET version = version + 1; END;
    CREATE TRIGGER site_registrations_delete AFTER DELETE ON registrations
        BEGIN UPDATE site_state SET version = version + 1; END;
    CREATE TRIGGER site_group_links_insert AFTER INSERT ON group_links
        BEGIN UPDATE site_state SET version = version + 1; END;
    CREATE TRIGGER site_group_links_update AFTER UPDATE ON group_links
        BEGIN UPDATE site_state SET version = version + 1; END;
    CREATE TRIGGER site_group_links_delete AFTER DELETE ON group_links
        BEGIN UPDATE site_state SET version = version + 1; END;
    CREATE TRIGGER site_project_updates_insert AFTER INSERT ON project_updates
        BEGIN UPDATE site_state SET version = version + 1; END;
    CREATE TRIGGER site_project_updates_update AFTER UPDATE ON project_updates
        BEGIN UPDATE site_state SET version = version + 1; END;
    CREATE TRIGGER site_project_updates_delete AFTER DELETE ON project_updates
        BEGIN UPDATE site_state SET version = version + 1; END;
    CREATE TRIGGER site_projects_update AFTER UPDATE ON projects
        WHEN OLD.public_at IS NOT NULL OR NEW.public_at IS NOT NULL
        BEGIN UPDATE site_state SET version = version + 1; END;
    CREATE TRIGGER site_projects_delete AFTER DELETE ON projects
        WHEN OLD.public_at IS NOT NULL
        BEGIN UPDATE site_state SET version = version + 1; END;
    CREATE TRIGGER site_project_taskforces_insert AFTER INSERT ON project_taskforces
        WHEN (SELECT public_at FROM projects WHERE id = NEW.project_id) IS NOT NULL
        BEGIN UPDATE site_state SET version = version + 1; END;
    CREATE TRIGGER site_project_taskforces_delete AFTER DELETE ON project_taskforces
        WHEN (SELECT public_at FROM projects WHERE id = OLD.project_id) IS NOT NULL
        BEGIN UPDATE site_state SET version = version + 1; END;
    CREATE TRIGGER site_delphi_rounds_insert AFTER INSERT ON delphi_rounds
        BEGIN UPDATE site_state SET version = version + 1; END;
    CREATE TRIGGER site_delphi_rounds_update AFTER UPDATE ON delphi_rounds
        WHEN OLD.published_at IS NOT NULL OR NEW.published_at IS NOT NULL
        BEGIN UPDATE site_state SET version = version + 1; END;
    CREATE TRIGGER site_delphi_answers_delete AFTER DELETE ON delphi_answers
        WHEN (SELECT published_at FROM delphi_rounds WHERE id = OLD.round_id) IS NOT NULL
        BEGIN UPDATE site_state SET version = version + 1; END;
    CREATE TRIGGER site_delphi_places_delete AFTER DELETE ON delphi_places
        WHEN (SELECT published_at FROM delphi_rounds WHERE id = OLD.round_id) IS NOT NULL
        BEGIN UPDATE site_state SET version = version + 1; END;
    """,
    # 21: an entry's id is never given twice (SQLite gives the highest deleted one again): a discarded draft's old
    # buttons name its id, and would act on the next draft. The highest id given is kept, whatever wrote it.
    """
    CREATE TABLE project_ids (id INTEGER PRIMARY KEY CHECK (id = 1), last INTEGER NOT NULL);
    INSERT INTO project_ids (id, last) SELECT 1, COALESCE(MAX(id), 0) FROM projects;
    CREATE TRIGGER project_ids_last AFTER INSERT ON projects WHEN NEW.id > (SELECT last FROM project_ids)
        BEGIN UPDATE project_ids SET last = NEW.id WHERE id = 1; END;
    """,
    # 22: migration 13 read a decision's verdict from the audit, whose detail /forget empties (the decider's or the
    # applicant's): such rows were left without one, and their prompts and exports read "withdrawn". Their status
    # tells it where only one verdict leads there: "rejected" only ever came from a rejection ("not a member" made
    # the application an active Team Member's place until 13), and an active Leader's or Representative's place
    # with a decider only from an approval. A decided Team Member's place (approved then demoted, or "not a
    # member") and a withdrawn one (decided or not) say nothing sure: they stay without a verdict.
    """
    UPDATE registrations SET verdict = 'reject' WHERE verdict IS NULL AND status = 'rejected';
    UPDATE registrations SET verdict = 'approve'
        WHERE verdict IS NULL AND status = 'active' AND role IN ('leader', 'representative') AND decided_by IS NOT NULL;
    """,
    # 23: the site's triggers fire only on the columns it reads (a reminder's tick, a profile's `updated_at` or its
    # announcements' switch no longer make it read everything again), and count apart the writes that can take
    # something off it (a listed name, a Leader's place, a public entry, a published round): a page asked after one of
    # those waits for the snapshot that no longer shows it (docs/public-site.md, "How fresh").
    """
    ALTER TABLE site_state ADD COLUMN removals INTEGER NOT NULL DEFAULT 0;
    DROP TRIGGER site_people_update;
    DROP TRIGGER site_people_delete;
    DROP TRIGGER site_registrations_update;
    DROP TRIGGER site_registrations_delete;
    DROP TRIGGER site_group_links_update;
    DROP TRIGGER site_project_updates_update;
    DROP TRIGGER site_project_updates_delete;
    DROP TRIGGER site_projects_update;
    DROP TRIGGER site_projects_delete;
    DROP TRIGGER site_project_taskforces_delete;
    DROP TRIGGER site_delphi_rounds_update;
    DROP TRIGGER site_delphi_answers_delete;
    DROP TRIGGER site_delphi_places_delete;
    CREATE TRIGGER site_people_update AFTER UPDATE OF name, organisation, region, stakeholder_type, listed ON people
        BEGIN UPDATE site_state SET version = version + 1, removals = removals + (OLD.listed <> 0); END;
    CREATE TRIGGER site_people_delete AFTER DELETE ON people
        BEGIN UPDATE site_state SET version = version + 1, removals = removals + (OLD.listed <> 0); END;
    CREATE TRIGGER site_registrations_update AFTER UPDATE OF person_id, taskforce, role, status, region ON registrations
        BEGIN UPDATE site_state SET version = version + 1,
            removals = removals + (OLD.status = 'active' AND OLD.role <> 'member'); END;
    CREATE TRIGGER site_registrations_delete AFTER DELETE ON registrations
        BEGIN UPDATE site_state SET version = version + 1,
            removals = removals + (OLD.status = 'active' AND OLD.role <> 'member'); END;
    CREATE TRIGGER site_group_links_update AFTER UPDATE OF taskforce, broken_at ON group_links
        BEGIN UPDATE site_state SET version = version + 1; END;
    CREATE TRIGGER site_project_updates_update AFTER UPDATE OF project_id, text, at ON project_updates
        BEGIN UPDATE site_state SET version = version + 1, removals = removals + 1; END;
    CREATE TRIGGER site_project_updates_delete AFTER DELETE ON project_updates
        BEGIN UPDATE site_state SET version = version + 1, removals = removals + 1; END;
    CREATE TRIGGER site_projects_update AFTER UPDATE OF author_id, status, title, kind, countries, region,
        lead_organisation, partners, summary, contribution, stage, budget_amount, budget_currency, funding_amount,
        funding_currency, starts, ends, link, language, public_at ON projects
        WHEN OLD.public_at IS NOT NULL OR NEW.public_at IS NOT NULL
        BEGIN UPDATE site_state SET version = version + 1, removals = removals + (OLD.public_at IS NOT NULL); END;
    CREATE TRIGGER site_projects_delete AFTER DELETE ON projects
        WHEN OLD.public_at IS NOT NULL
        BEGIN UPDATE site_state SET version = version + 1, removals = removals + 1; END;
    CREATE TRIGGER site_project_taskforces_delete AFTER DELETE ON project_taskforces
        WHEN (SELECT public_at FROM projects WHERE id = OLD.project_id) IS NOT NULL
        BEGIN UPDATE site_state SET version = version + 1, removals = removals + 1; END;
    CREATE TRIGGER site_delphi_rounds_update AFTER UPDATE OF study, round, definition, closes_at, closed_at,
        published_at ON delphi_rounds
        WHEN OLD.published_at IS NOT NULL OR NEW.published_at IS NOT NULL
        BEGIN UPDATE site_state SET version = version + 1, removals = removals + (OLD.published_at IS NOT NULL); END;
    CREATE TRIGGER site_delphi_answers_delete AFTER DELETE ON delphi_answers
        WHEN (SELECT published_at FROM delphi_rounds WHERE id = OLD.round_id) IS NOT NULL
        BEGIN UPDATE site_state SET version = version + 1, removals = removals + 1; END;
    CREATE TRIGGER site_delphi_places_delete AFTER DELETE ON delphi_places
        WHEN (SELECT published_at FROM delphi_rounds WHERE id = OLD.round_id) IS NOT NULL
        BEGIN UPDATE site_state SET version = version + 1, removals = removals + 1; END;
    """,
)
