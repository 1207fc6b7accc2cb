#pragma once
// The audit table's insert, shared by the Writer's batches and Database::add_audit (the CLI's connection), and the
// read of its rows.

#include <SQLiteCpp/Statement.h>

#include "vta/store/audit.hpp"

namespace vta::store::detail {

inline constexpr const char* insert_audit_sql =
    "INSERT INTO audit (at_us, source, action, subject, before, after) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

// Binds ?1..?6 of insert_audit_sql (copies: the JSON texts are made here).
void bind_audit(SQLite::Statement& statement, const AuditRow& row);

// Columns: id, at_us, source, action, subject, before, after.
inline constexpr const char* audit_columns = "id, at_us, source, action, subject, before, after";
AuditEntry read_audit(SQLite::Statement& query);

}  // namespace vta::store::detail
