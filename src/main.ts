import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
@Module({})
class M {}
async function main() { const app = await NestFactory.create(M, new FastifyAdapter()); await app.listen(0); console.log('ok', typeof DataSource); await app.close(); }
void main();
