#include "hola.h"

#include <iostream>

void saludar()
{
    std::cout << "Hola Mundo!!" << std::endl;
}

int main()
{
    saludar();
    return 0;
}
