// factory-host: placeholder until the CEO lands.
int main() { return 0; }
