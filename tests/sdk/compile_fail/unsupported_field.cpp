// Must not compile: `unsigned short int` is fine (std::uint16_t), `long double` is not a field type.
#include <factory/schema.hpp>

struct product {
    std::uint16_t port;
    long double ratio;
};

const factory::schema product_schema =
    factory::make_schema<product>({FACTORY_FIELD(product, port), FACTORY_FIELD(product, ratio)});
