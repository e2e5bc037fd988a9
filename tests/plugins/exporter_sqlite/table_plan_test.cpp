#include "exporter_sqlite/table_plan.hpp"
#include "support/sample_products.hpp"

#include <factory/settings.hpp>

#include <catch2/catch.hpp>

using namespace factory::sqlite;

TEST_CASE("the index setting: one index per entry, '+' joins columns, spaces trimmed") {
    auto i = parse_indexes(" a , b+c,, d ");
    REQUIRE(i.size() == 3);
    CHECK(i[0] == std::vector<std::string>{"a"});
    CHECK(i[1] == std::vector<std::string>{"b", "c"});
    CHECK(i[2] == std::vector<std::string>{"d"});
    CHECK(parse_indexes("").empty());
    CHECK_THROWS_AS(parse_indexes("a++b"), factory::error);
}

TEST_CASE("a pclass's SQL: typed columns in schema order, quoted names, indexes it can have") {
    auto pcs = factory::testing::sample_pclasses();
    table_plan p = plan_table(pcs[0], {{"src"}, {"pid", "at"}, {"nonesuch"}}, false);
    CHECK(p.create_sql == "CREATE TABLE IF NOT EXISTS \"flows\" (\"pid\" INTEGER, \"bytes\" INTEGER, \"src\" TEXT, "
                          "\"at\" INTEGER, \"note\" TEXT)");
    CHECK(p.insert_sql == "INSERT INTO \"flows\" (\"pid\", \"bytes\", \"src\", \"at\", \"note\") VALUES (?, ?, ?, ?, ?)");
    REQUIRE(p.index_sql.size() == 2);
    CHECK(p.index_sql[0] == "CREATE INDEX IF NOT EXISTS \"flows_src_idx\" ON \"flows\" (\"src\")");
    CHECK(p.index_sql[1] == "CREATE INDEX IF NOT EXISTS \"flows_pid_at_idx\" ON \"flows\" (\"pid\", \"at\")");
    CHECK(plan_table(pcs[0], {}, true).create_sql.find("\"at\" TEXT") != std::string::npos);
    CHECK(quoted("a\"b") == "\"a\"\"b\"");
}
