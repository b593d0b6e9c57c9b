#ifndef HOLA_H
#define HOLA_H

// Escribe el saludo en la salida estándar.
void saludar();

#endif // HOLA_H
