//! Optuna 5.0's RDB schema (alembic head `v3.2.0.a`, schema version 12), verbatim as
//! SQLAlchemy emits it for SQLite, so Optuna, optuna-dashboard and hpo share databases.

/// The schema version Optuna 5.0 writes into `version_info`.
pub const SCHEMA_VERSION: i64 = 12;
/// The alembic revision Optuna 5.0 stamps.
pub const ALEMBIC_HEAD: &str = "v3.2.0.a";

/// `CREATE TABLE IF NOT EXISTS` for every table and index.
#[cfg(feature = "sqlite")]
pub const DDL: &str = r#"
CREATE TABLE IF NOT EXISTS studies (
	study_id INTEGER NOT NULL, 
	study_name VARCHAR(512) NOT NULL, 
	PRIMARY KEY (study_id)
);
CREATE UNIQUE INDEX IF NOT EXISTS ix_studies_study_name ON studies (study_name);
CREATE TABLE IF NOT EXISTS version_info (
	version_info_id INTEGER NOT NULL, 
	schema_version INTEGER, 
	library_version VARCHAR(256), 
	PRIMARY KEY (version_info_id), 
	CHECK (version_info_id=1)
);
CREATE TABLE IF NOT EXISTS study_directions (
	study_direction_id INTEGER NOT NULL, 
	direction VARCHAR(8) NOT NULL, 
	study_id INTEGER NOT NULL, 
	objective INTEGER NOT NULL, 
	PRIMARY KEY (study_direction_id), 
	UNIQUE (study_id, objective), 
	FOREIGN KEY(study_id) REFERENCES studies (study_id)
);
CREATE TABLE IF NOT EXISTS study_user_attributes (
	study_user_attribute_id INTEGER NOT NULL, 
	study_id INTEGER, 
	"key" VARCHAR(512), 
	value_json TEXT, 
	PRIMARY KEY (study_user_attribute_id), 
	UNIQUE (study_id, "key"), 
	FOREIGN KEY(study_id) REFERENCES studies (study_id)
);
CREATE TABLE IF NOT EXISTS study_system_attributes (
	study_system_attribute_id INTEGER NOT NULL, 
	study_id INTEGER, 
	"key" VARCHAR(512), 
	value_json TEXT, 
	PRIMARY KEY (study_system_attribute_id), 
	UNIQUE (study_id, "key"), 
	FOREIGN KEY(study_id) REFERENCES studies (study_id)
);
CREATE TABLE IF NOT EXISTS trials (
	trial_id INTEGER NOT NULL, 
	number INTEGER, 
	study_id INTEGER, 
	state VARCHAR(8) NOT NULL, 
	datetime_start DATETIME, 
	datetime_complete DATETIME, 
	PRIMARY KEY (trial_id), 
	FOREIGN KEY(study_id) REFERENCES studies (study_id)
);
CREATE INDEX IF NOT EXISTS ix_trials_study_id ON trials (study_id);
CREATE TABLE IF NOT EXISTS trial_user_attributes (
	trial_user_attribute_id INTEGER NOT NULL, 
	trial_id INTEGER, 
	"key" VARCHAR(512), 
	value_json TEXT, 
	PRIMARY KEY (trial_user_attribute_id), 
	UNIQUE (trial_id, "key"), 
	FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
);
CREATE TABLE IF NOT EXISTS trial_system_attributes (
	trial_system_attribute_id INTEGER NOT NULL, 
	trial_id INTEGER, 
	"key" VARCHAR(512), 
	value_json TEXT, 
	PRIMARY KEY (trial_system_attribute_id), 
	UNIQUE (trial_id, "key"), 
	FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
);
CREATE TABLE IF NOT EXISTS trial_params (
	param_id INTEGER NOT NULL, 
	trial_id INTEGER, 
	param_name VARCHAR(512), 
	param_value FLOAT, 
	distribution_json TEXT, 
	PRIMARY KEY (param_id), 
	UNIQUE (trial_id, param_name), 
	FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
);
CREATE TABLE IF NOT EXISTS trial_values (
	trial_value_id INTEGER NOT NULL, 
	trial_id INTEGER NOT NULL, 
	objective INTEGER NOT NULL, 
	value FLOAT, 
	value_type VARCHAR(7) NOT NULL, 
	PRIMARY KEY (trial_value_id), 
	UNIQUE (trial_id, objective), 
	FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
);
CREATE TABLE IF NOT EXISTS trial_intermediate_values (
	trial_intermediate_value_id INTEGER NOT NULL, 
	trial_id INTEGER NOT NULL, 
	step INTEGER NOT NULL, 
	intermediate_value FLOAT, 
	intermediate_value_type VARCHAR(7) NOT NULL, 
	PRIMARY KEY (trial_intermediate_value_id), 
	UNIQUE (trial_id, step), 
	FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
);
CREATE TABLE IF NOT EXISTS trial_heartbeats (
	trial_heartbeat_id INTEGER NOT NULL, 
	trial_id INTEGER NOT NULL, 
	heartbeat DATETIME NOT NULL, 
	PRIMARY KEY (trial_heartbeat_id), 
	UNIQUE (trial_id), 
	FOREIGN KEY(trial_id) REFERENCES trials (trial_id)
);
CREATE TABLE IF NOT EXISTS alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
"#;

/// Every table of the schema: when all exist, opening a server database runs no DDL at all
/// (DDL takes table locks that would wait on, or deadlock with, other workers' transactions).
#[cfg(any(feature = "postgres", feature = "mysql"))]
pub const TABLES: [&str; 13] = [
    "studies",
    "version_info",
    "study_directions",
    "study_user_attributes",
    "study_system_attributes",
    "trials",
    "trial_user_attributes",
    "trial_system_attributes",
    "trial_params",
    "trial_values",
    "trial_intermediate_values",
    "trial_heartbeats",
    "alembic_version",
];

/// The same schema as SQLAlchemy creates it on PostgreSQL for Optuna 5.0: native enum types,
/// `SERIAL` keys (sequences named as SQLAlchemy names them), the same constraint names. Run
/// under an advisory lock, so concurrent first connections do not race on the catalog.
#[cfg(feature = "postgres")]
pub const PG_DDL: &str = r#"
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'studydirection') THEN
    CREATE TYPE studydirection AS ENUM ('NOT_SET', 'MINIMIZE', 'MAXIMIZE');
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'trialstate') THEN
    CREATE TYPE trialstate AS ENUM ('RUNNING', 'COMPLETE', 'PRUNED', 'FAIL', 'WAITING');
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'trialvaluetype') THEN
    CREATE TYPE trialvaluetype AS ENUM ('FINITE', 'INF_POS', 'INF_NEG');
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'trialintermediatevaluetype') THEN
    CREATE TYPE trialintermediatevaluetype AS ENUM ('FINITE', 'INF_POS', 'INF_NEG', 'NAN');
  END IF;
END $$;
CREATE TABLE IF NOT EXISTS studies (
    study_id SERIAL PRIMARY KEY,
    study_name VARCHAR(512) NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS ix_studies_study_name ON studies (study_name);
CREATE TABLE IF NOT EXISTS version_info (
    version_info_id INTEGER PRIMARY KEY CHECK (version_info_id = 1),
    schema_version INTEGER,
    library_version VARCHAR(256)
);
CREATE TABLE IF NOT EXISTS study_directions (
    study_direction_id SERIAL PRIMARY KEY,
    direction studydirection NOT NULL,
    study_id INTEGER NOT NULL REFERENCES studies (study_id),
    objective INTEGER NOT NULL,
    UNIQUE (study_id, objective)
);
CREATE TABLE IF NOT EXISTS study_user_attributes (
    study_user_attribute_id SERIAL PRIMARY KEY,
    study_id INTEGER REFERENCES studies (study_id),
    key VARCHAR(512),
    value_json TEXT,
    UNIQUE (study_id, key)
);
CREATE TABLE IF NOT EXISTS study_system_attributes (
    study_system_attribute_id SERIAL PRIMARY KEY,
    study_id INTEGER REFERENCES studies (study_id),
    key VARCHAR(512),
    value_json TEXT,
    UNIQUE (study_id, key)
);
CREATE TABLE IF NOT EXISTS trials (
    trial_id SERIAL PRIMARY KEY,
    number INTEGER,
    study_id INTEGER REFERENCES studies (study_id),
    state trialstate NOT NULL,
    datetime_start TIMESTAMP WITHOUT TIME ZONE,
    datetime_complete TIMESTAMP WITHOUT TIME ZONE
);
CREATE INDEX IF NOT EXISTS ix_trials_study_id ON trials (study_id);
CREATE TABLE IF NOT EXISTS trial_user_attributes (
    trial_user_attribute_id SERIAL PRIMARY KEY,
    trial_id INTEGER REFERENCES trials (trial_id),
    key VARCHAR(512),
    value_json TEXT,
    UNIQUE (trial_id, key)
);
CREATE TABLE IF NOT EXISTS trial_system_attributes (
    trial_system_attribute_id SERIAL PRIMARY KEY,
    trial_id INTEGER REFERENCES trials (trial_id),
    key VARCHAR(512),
    value_json TEXT,
    UNIQUE (trial_id, key)
);
CREATE TABLE IF NOT EXISTS trial_params (
    param_id SERIAL PRIMARY KEY,
    trial_id INTEGER REFERENCES trials (trial_id),
    param_name VARCHAR(512),
    param_value DOUBLE PRECISION,
    distribution_json TEXT,
    UNIQUE (trial_id, param_name)
);
CREATE TABLE IF NOT EXISTS trial_values (
    trial_value_id SERIAL PRIMARY KEY,
    trial_id INTEGER NOT NULL REFERENCES trials (trial_id),
    objective INTEGER NOT NULL,
    value DOUBLE PRECISION,
    value_type trialvaluetype NOT NULL,
    UNIQUE (trial_id, objective)
);
CREATE TABLE IF NOT EXISTS trial_intermediate_values (
    trial_intermediate_value_id SERIAL PRIMARY KEY,
    trial_id INTEGER NOT NULL REFERENCES trials (trial_id),
    step INTEGER NOT NULL,
    intermediate_value DOUBLE PRECISION,
    intermediate_value_type trialintermediatevaluetype NOT NULL,
    UNIQUE (trial_id, step)
);
CREATE TABLE IF NOT EXISTS trial_heartbeats (
    trial_heartbeat_id SERIAL PRIMARY KEY,
    trial_id INTEGER NOT NULL UNIQUE REFERENCES trials (trial_id),
    heartbeat TIMESTAMP WITHOUT TIME ZONE NOT NULL
);
CREATE TABLE IF NOT EXISTS alembic_version (
    version_num VARCHAR(32) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
"#;

/// The same schema as SQLAlchemy creates it on MySQL / MariaDB for Optuna 5.0: `ENUM` columns,
/// `AUTO_INCREMENT` keys, second-resolution `DATETIME`, InnoDB, utf8mb4.
#[cfg(feature = "mysql")]
pub const MYSQL_DDL: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS studies (
        study_id INT NOT NULL AUTO_INCREMENT,
        study_name VARCHAR(512) NOT NULL,
        PRIMARY KEY (study_id),
        UNIQUE KEY ix_studies_study_name (study_name)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    "CREATE TABLE IF NOT EXISTS version_info (
        version_info_id INT NOT NULL,
        schema_version INT DEFAULT NULL,
        library_version VARCHAR(256) DEFAULT NULL,
        PRIMARY KEY (version_info_id),
        CHECK (version_info_id = 1)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    "CREATE TABLE IF NOT EXISTS study_directions (
        study_direction_id INT NOT NULL AUTO_INCREMENT,
        direction ENUM('NOT_SET','MINIMIZE','MAXIMIZE') NOT NULL,
        study_id INT NOT NULL,
        objective INT NOT NULL,
        PRIMARY KEY (study_direction_id),
        UNIQUE KEY study_id (study_id, objective),
        FOREIGN KEY (study_id) REFERENCES studies (study_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    "CREATE TABLE IF NOT EXISTS study_user_attributes (
        study_user_attribute_id INT NOT NULL AUTO_INCREMENT,
        study_id INT DEFAULT NULL,
        `key` VARCHAR(512) DEFAULT NULL,
        value_json TEXT DEFAULT NULL,
        PRIMARY KEY (study_user_attribute_id),
        UNIQUE KEY study_id (study_id, `key`),
        FOREIGN KEY (study_id) REFERENCES studies (study_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    "CREATE TABLE IF NOT EXISTS study_system_attributes (
        study_system_attribute_id INT NOT NULL AUTO_INCREMENT,
        study_id INT DEFAULT NULL,
        `key` VARCHAR(512) DEFAULT NULL,
        value_json TEXT DEFAULT NULL,
        PRIMARY KEY (study_system_attribute_id),
        UNIQUE KEY study_id (study_id, `key`),
        FOREIGN KEY (study_id) REFERENCES studies (study_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    "CREATE TABLE IF NOT EXISTS trials (
        trial_id INT NOT NULL AUTO_INCREMENT,
        number INT DEFAULT NULL,
        study_id INT DEFAULT NULL,
        state ENUM('RUNNING','COMPLETE','PRUNED','FAIL','WAITING') NOT NULL,
        datetime_start DATETIME DEFAULT NULL,
        datetime_complete DATETIME DEFAULT NULL,
        PRIMARY KEY (trial_id),
        KEY ix_trials_study_id (study_id),
        FOREIGN KEY (study_id) REFERENCES studies (study_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    "CREATE TABLE IF NOT EXISTS trial_user_attributes (
        trial_user_attribute_id INT NOT NULL AUTO_INCREMENT,
        trial_id INT DEFAULT NULL,
        `key` VARCHAR(512) DEFAULT NULL,
        value_json TEXT DEFAULT NULL,
        PRIMARY KEY (trial_user_attribute_id),
        UNIQUE KEY trial_id (trial_id, `key`),
        FOREIGN KEY (trial_id) REFERENCES trials (trial_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    "CREATE TABLE IF NOT EXISTS trial_system_attributes (
        trial_system_attribute_id INT NOT NULL AUTO_INCREMENT,
        trial_id INT DEFAULT NULL,
        `key` VARCHAR(512) DEFAULT NULL,
        value_json TEXT DEFAULT NULL,
        PRIMARY KEY (trial_system_attribute_id),
        UNIQUE KEY trial_id (trial_id, `key`),
        FOREIGN KEY (trial_id) REFERENCES trials (trial_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    "CREATE TABLE IF NOT EXISTS trial_params (
        param_id INT NOT NULL AUTO_INCREMENT,
        trial_id INT DEFAULT NULL,
        param_name VARCHAR(512) DEFAULT NULL,
        param_value DOUBLE DEFAULT NULL,
        distribution_json TEXT DEFAULT NULL,
        PRIMARY KEY (param_id),
        UNIQUE KEY trial_id (trial_id, param_name),
        FOREIGN KEY (trial_id) REFERENCES trials (trial_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    "CREATE TABLE IF NOT EXISTS trial_values (
        trial_value_id INT NOT NULL AUTO_INCREMENT,
        trial_id INT NOT NULL,
        objective INT NOT NULL,
        value DOUBLE DEFAULT NULL,
        value_type ENUM('FINITE','INF_POS','INF_NEG') NOT NULL,
        PRIMARY KEY (trial_value_id),
        UNIQUE KEY trial_id (trial_id, objective),
        FOREIGN KEY (trial_id) REFERENCES trials (trial_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    "CREATE TABLE IF NOT EXISTS trial_intermediate_values (
        trial_intermediate_value_id INT NOT NULL AUTO_INCREMENT,
        trial_id INT NOT NULL,
        step INT NOT NULL,
        intermediate_value DOUBLE DEFAULT NULL,
        intermediate_value_type ENUM('FINITE','INF_POS','INF_NEG','NAN') NOT NULL,
        PRIMARY KEY (trial_intermediate_value_id),
        UNIQUE KEY trial_id (trial_id, step),
        FOREIGN KEY (trial_id) REFERENCES trials (trial_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    "CREATE TABLE IF NOT EXISTS trial_heartbeats (
        trial_heartbeat_id INT NOT NULL AUTO_INCREMENT,
        trial_id INT NOT NULL,
        heartbeat DATETIME NOT NULL,
        PRIMARY KEY (trial_heartbeat_id),
        UNIQUE KEY trial_id (trial_id),
        FOREIGN KEY (trial_id) REFERENCES trials (trial_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    "CREATE TABLE IF NOT EXISTS alembic_version (
        version_num VARCHAR(32) NOT NULL,
        PRIMARY KEY (version_num)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
];
