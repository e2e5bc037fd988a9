#include "ops/accounting.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

using namespace factory::ops;

namespace {

accounting books_of_a_clean_run() {
    accounting a;
    a.purchased = 1000;
    a.assembled = 990;
    a.failed = 10;
    a.shipped = 50;
    a.exporters.push_back({"jsonl", 50});
    return a;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

} // namespace

TEST_CASE("a clean run balances, lost nothing, and says so", "[ops]") {
    auto a = books_of_a_clean_run();
    CHECK(a.balanced());
    CHECK_FALSE(a.lost_anything());
    CHECK(a.line() == "purchased 1000 = assembled 990 + dead-lettered 10 | shipped 50 = jsonl exported 50 + "
                      "dead-lettered 0 | balanced");
    CHECK(a.dead_letters() == 10);
    CHECK(a.dead_letter_reasons() == "10 refused by the blueprint");
}

TEST_CASE("a material missing from every count unbalances the books", "[ops]") {
    auto a = books_of_a_clean_run();
    a.purchased = 1001;
    CHECK_FALSE(a.materials_balance());
    CHECK(has(a.line(), "| NOT BALANCED"));
    a = books_of_a_clean_run();
    a.exporters[0].exported = 49;
    CHECK_FALSE(a.products_balance());
}

TEST_CASE("dead letters that could not be written are lost, not dead-lettered", "[ops]") {
    auto a = books_of_a_clean_run();
    a.unwritten_materials = 4; // of the 10 refused, 4 never reached the file
    CHECK(a.balanced());
    CHECK(a.lost_anything());
    CHECK(a.dead_materials() == 6);
    CHECK(a.dead_letters() == 6);
    CHECK(a.dead_letters_made() == 10); // written or not: what --max-dead-letters counts
    CHECK(has(a.line(), "assembled 990 + dead-lettered 6 + dead letters not written 4 |"));
    CHECK(has(a.line(), "| balanced, with losses"));
    auto j = nlohmann::json::parse(a.json(1.0, 1, run_end{false, "end of input", 1}));
    CHECK(j.at("dead_lettered").at("materials") == 6);
    CHECK(j.at("dead_letters_not_written").at("materials") == 4);
    CHECK(j.at("lost_anything") == true);
    CHECK(j.at("clean") == false);
    CHECK(j.at("ended_by") == "end of input");
    CHECK(j.at("exit_code") == 1);
}

TEST_CASE("an exporter's dead letters not written are counted in its own identity", "[ops]") {
    auto a = books_of_a_clean_run();
    a.exporters[0].exported = 40;
    a.exporters[0].dead_lettered = 10; // as counted, written or not
    a.exporters[0].unwritten = 3;
    CHECK(a.products_balance());
    CHECK(a.lost_anything());
    CHECK(has(a.line(), "jsonl exported 40 + dead-lettered 7 + dead letters not written 3"));
    auto j = nlohmann::json::parse(a.json(1.0, 1, run_end{}));
    CHECK(j.at("exporters").at(0).at("dead_lettered") == 7);
    CHECK(j.at("exporters").at(0).at("dead_letters_not_written") == 3);
    CHECK(j.at("dead_letters_not_written").at("products") == 3);
}

TEST_CASE("crash losses keep the books balanced but not clean", "[ops]") {
    auto a = books_of_a_clean_run();
    a.assembled = 980;
    a.lost_materials = 10;
    CHECK(a.balanced());
    CHECK(a.lost_anything());
    CHECK(has(a.line(), "+ lost in crashes 10"));
}

TEST_CASE("dead letters by reason name every kind there was", "[ops]") {
    accounting a;
    a.rejected = 5;
    a.oversize = 2;
    a.quarantined = 1;
    a.refused = 3;
    a.exporters.push_back({"sqlite", 0, 4});
    CHECK(a.dead_letter_reasons() == "3 rejected by the source, 2 larger than --max-material, 1 quarantined after a "
                                     "crash, 3 products refused at shipping, 4 products an exporter could not take");
}
