// WAGI test guest that never finishes: the host must stop it at its deadline.
int main(void) {
    volatile unsigned long counter = 0;
    for (;;) counter++;
}
